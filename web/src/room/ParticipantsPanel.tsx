// Who is in the call; the host's moderation controls for each guest.
import { useState } from 'react';
import { useParticipants } from '@livekit/components-react';
import { Hand as HandIcon } from 'lucide-react';
import { Track, type Participant } from 'livekit-client';
import { useI18n } from '../i18n';
import type { Hand, ModerationAction } from '../lib/types';
import { ErrorText } from '../components/ErrorText';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { moderate } from './moderate';
import { roleOf } from './role';

interface Props {
  roomId: string;
  isHost: boolean;
  hands: Hand[];
}

export function ParticipantsPanel({ roomId, isHost, hands }: Props) {
  const { t } = useI18n();
  const participants = useParticipants();
  const [error, setError] = useState<unknown>(null);
  const [banTarget, setBanTarget] = useState<Participant | null>(null);

  const act = (action: ModerationAction, identity: string) => {
    setError(null);
    moderate(roomId, action, identity).catch(setError);
  };

  return (
    <section className="stack" aria-labelledby="people-title">
      <h2 id="people-title">{t('people.title', { n: participants.length })}</h2>
      <ErrorText error={error} />
      <ul className="list">
        {participants.map((p) => {
          const name = p.name || p.identity;
          const host = roleOf(p.metadata) === 'host';
          const hand = hands.some((h) => h.identity === p.identity);
          const micOn = p.getTrackPublication(Track.Source.Microphone)?.isMuted === false;
          const canPublish = p.permissions?.canPublish !== false;
          return (
            <li key={p.identity} className="stack tight">
              <span>
                {hand && (
                  <span role="img" aria-label={t('hands.raised')} className="hand-mark">
                    <HandIcon aria-hidden="true" size={16} />{' '}
                  </span>
                )}
                <strong>{name}</strong>
                {p.isLocal && <span className="muted"> ({t('people.you')})</span>}
                {host && <span className="badge">{t('people.host')}</span>}
                {!micOn && <span className="muted small"> · {t('people.micOff')}</span>}
              </span>
              {isHost && !host && !p.isLocal && (
                <div className="row wrap">
                  {micOn && (
                    <button type="button" className="small" onClick={() => act('mute', p.identity)}>
                      {t('mod.mute')}
                    </button>
                  )}
                  {canPublish ? (
                    <button type="button" className="small" onClick={() => act('stop_publishing', p.identity)}>
                      {t('mod.stopPublishing')}
                    </button>
                  ) : (
                    <button type="button" className="small" onClick={() => act('allow_publishing', p.identity)}>
                      {t('mod.allowPublishing')}
                    </button>
                  )}
                  <button type="button" className="small" onClick={() => act('kick', p.identity)}>
                    {t('mod.kick')}
                  </button>
                  <button type="button" className="small danger" onClick={() => setBanTarget(p)}>
                    {t('mod.ban')}
                  </button>
                </div>
              )}
            </li>
          );
        })}
      </ul>
      <ConfirmDialog
        open={banTarget !== null}
        title={t('mod.banTitle')}
        confirmLabel={t('mod.ban')}
        danger
        onCancel={() => setBanTarget(null)}
        onConfirm={() => {
          if (banTarget) act('ban', banTarget.identity);
          setBanTarget(null);
        }}
      >
        <p>{t('mod.banText', { name: banTarget?.name || banTarget?.identity || '' })}</p>
      </ConfirmDialog>
    </section>
  );
}
