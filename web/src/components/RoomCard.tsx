import { useState } from 'react';
import { Link } from 'react-router';
import { useI18n } from '../i18n';
import { api } from '../lib/api';
import { publicBase, useInstance } from '../lib/instance';
import type { Room } from '../lib/types';
import { ErrorText } from './ErrorText';
import { ConfirmDialog } from './ConfirmDialog';
import { CopyField } from './CopyField';
import { PastLectures } from './PastLectures';

interface Props {
  room: Room;
  onChanged: (room: Room) => void;
  onDeleted: (id: string) => void;
}

export function RoomCard({ room, onChanged, onDeleted }: Props) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [confirm, setConfirm] = useState<'end' | 'delete' | null>(null);
  // Invite links come from the instance's public URL, not from the address this page was opened
  // at (the teacher may be on localhost; the students are not).
  const instance = useInstance();
  const invite = `${publicBase(instance)}/join/${room.code}`;

  const run = (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    action()
      .catch(setError)
      .finally(() => setBusy(false));
  };
  const post = (what: 'start' | 'end') =>
    run(() => api<Room>('POST', `/api/rooms/${room.id}/${what}`).then(onChanged));
  const remove = () => run(() => api('DELETE', `/api/rooms/${room.id}`).then(() => onDeleted(room.id)));

  return (
    <li className="card stack">
      <div className="row between wrap">
        <h3>{room.name}</h3>
        <span className={`badge status-${room.status.toLowerCase()}`}>{t(`status.${room.status}`)}</span>
      </div>
      <p className="muted">
        {t('dash.code')}: <code>{room.code}</code> · {room.lobbyEnabled ? t('dash.lobbyOn') : t('dash.lobbyOff')} ·{' '}
        {room.hasPin ? t('dash.pinOn') : t('dash.pinOff')} · {t('dash.upTo', { n: room.maxParticipants })}
      </p>
      <CopyField label={t('dash.invite')} value={invite} />
      {instance?.tls === 'lan' && (
        <p className="muted">
          {t('dash.trustHint')}{' '}
          <Link to={`/trust?room=${encodeURIComponent(room.code)}`}>{t('dash.trust')}</Link>
        </p>
      )}
      <div className="row wrap">
        {room.status !== 'LIVE' && (
          <button type="button" className="primary" disabled={busy} onClick={() => post('start')}>
            {room.status === 'ENDED' ? t('dash.startNext') : t('dash.start')}
          </button>
        )}
        {room.status === 'LIVE' && (
          <>
            <Link className="button primary" to={`/room/${room.code}`}>
              {t('dash.enter')}
            </Link>
            <button type="button" className="danger" disabled={busy} onClick={() => setConfirm('end')}>
              {t('dash.end')}
            </button>
          </>
        )}
        {room.status !== 'LIVE' && (
          <button type="button" className="danger" disabled={busy} onClick={() => setConfirm('delete')}>
            {t('dash.delete')}
          </button>
        )}
      </div>
      <ErrorText error={error} />
      <PastLectures roomId={room.id} version={`${room.status}:${room.lectureId}`} />
      <ConfirmDialog
        open={confirm !== null}
        title={confirm === 'end' ? t('dash.endConfirmTitle') : t('dash.deleteConfirmTitle')}
        confirmLabel={confirm === 'end' ? t('dash.end') : t('dash.delete')}
        danger
        onCancel={() => setConfirm(null)}
        onConfirm={() => {
          const what = confirm;
          setConfirm(null);
          if (what === 'end') post('end');
          else remove();
        }}
      >
        <p>{confirm === 'end' ? t('dash.endConfirmText') : t('dash.deleteConfirmText', { name: room.name })}</p>
      </ConfirmDialog>
    </li>
  );
}
