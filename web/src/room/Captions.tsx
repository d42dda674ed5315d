// Live captions from the assistant (text streams on lk.transcription): the latest lines, shown
// only once captions arrive (the empty live region is invisible). Without a speech-to-text provider none will, so a short note says so
// instead of leaving people waiting.
import { useParticipants, useTranscriptions } from '@livekit/components-react';
import { Track } from 'livekit-client';
import { useI18n } from '../i18n';

const shown = 3;

export function Captions({ enabled }: { enabled: boolean }) {
  const { t } = useI18n();
  const lines = useTranscriptions();
  const participants = useParticipants();
  if (!enabled) return <p className="captions-off muted small">{t('call.captionsOff')}</p>;

  const nameOf = (identity: string) =>
    participants.find((p) => p.identity === identity)?.name || identity || t('call.unknownSpeaker');
  // Only the assistant's captions: it is hidden from us, but LiveKit lets only an agent send a
  // stream under someone else's name, and the assistant names the speaker's microphone
  // (lk.transcribed_track_id). A stream anyone else sends comes under its sender's own name
  // and names no microphone of theirs, so it is not shown (guests cannot send data at all).
  const fromAssistant = (line: (typeof lines)[number]) => {
    const track = line.streamInfo.attributes?.['lk.transcribed_track_id'];
    const speaker = participants.find((p) => p.identity === line.participantInfo.identity);
    return !!track && speaker?.trackPublications.get(track)?.kind === Track.Kind.Audio;
  };
  const shownLines = lines.filter(fromAssistant);

  return (
    // The live region stays in the page while empty, so a screen reader announces the first
    // caption too (a region added together with its text is often not read).
    <section className={shownLines.length === 0 ? 'captions captions-empty' : 'captions'} aria-label={t('call.captions')} aria-live="polite">
      {shownLines.slice(-shown).map((line) => (
        <p key={line.streamInfo.id}>
          <strong>{nameOf(line.participantInfo.identity)}:</strong> {line.text}
        </p>
      ))}
    </section>
  );
}
