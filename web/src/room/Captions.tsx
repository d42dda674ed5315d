// Live captions from the assistant (text streams on lk.transcription): the latest lines, shown
// only once captions arrive (the empty live region is invisible). Without a speech-to-text provider none will, so a short note says so
// instead of leaving people waiting.
import { useParticipants, useTranscriptions } from '@livekit/components-react';
import { useI18n } from '../i18n';

const shown = 3;

export function Captions({ enabled }: { enabled: boolean }) {
  const { t } = useI18n();
  const lines = useTranscriptions();
  const participants = useParticipants();
  if (!enabled) return <p className="captions-off muted small">{t('call.captionsOff')}</p>;

  const nameOf = (identity: string) =>
    participants.find((p) => p.identity === identity)?.name || identity || t('call.unknownSpeaker');

  return (
    // The live region stays in the page while empty, so a screen reader announces the first
    // caption too (a region added together with its text is often not read).
    <section className={lines.length === 0 ? 'captions captions-empty' : 'captions'} aria-label={t('call.captions')} aria-live="polite">
      {lines.slice(-shown).map((line) => (
        <p key={line.streamInfo.id}>
          <strong>{nameOf(line.participantInfo.identity)}:</strong> {line.text}
        </p>
      ))}
    </section>
  );
}
