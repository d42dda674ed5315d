// After the call: why it ended, and where to go next.
import { Link } from 'react-router';
import { useI18n, type MessageKey } from '../i18n';
import type { RemovalReason } from '../lib/types';

export type Exit =
  | { kind: 'left' }
  | { kind: 'ended' }
  | { kind: 'lost' }
  | { kind: 'removed'; reason: RemovalReason | null };

const removedText: Record<RemovalReason | 'unknown', MessageKey> = {
  kicked: 'exit.kicked',
  banned: 'exit.banned',
  panic: 'exit.panic',
  unknown: 'exit.removed',
};

interface Props {
  exit: Exit;
  code: string;
  /** The lecture that ended, for the host's link to its page. */
  lectureId?: string;
  isHost: boolean;
  onRejoin: () => void;
}

export function RoomExit({ exit, code, lectureId, isHost, onRejoin }: Props) {
  const { t } = useI18n();
  let text: string;
  if (exit.kind === 'removed') text = t(removedText[exit.reason ?? 'unknown']);
  else text = t(`exit.${exit.kind}`);
  const canRejoin = exit.kind === 'left' || exit.kind === 'lost';

  return (
    <main className="page narrow">
      <div className="stack" role="alert">
        <h1>{t('exit.title')}</h1>
        <p>{text}</p>
        <div className="row wrap">
          {canRejoin && (
            <button type="button" className="primary" onClick={onRejoin}>
              {t('exit.rejoin')}
            </button>
          )}
          {exit.kind === 'removed' && exit.reason === 'kicked' && (
            <Link className="button" to={`/join/${code}`}>
              {t('exit.knockAgain')}
            </Link>
          )}
          {isHost && lectureId && (
            <Link className="button" to={`/lectures/${lectureId}`}>
              {t('dash.lecturePage')}
            </Link>
          )}
          <Link className="button" to={isHost ? '/dashboard' : '/'}>
            {isHost ? t('nav.dashboard') : t('notFound.home')}
          </Link>
        </div>
      </div>
    </main>
  );
}
