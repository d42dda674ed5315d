import { useEffect, useState } from 'react';
import { useI18n } from '../i18n';
import type { LobbyEntry, RoomState } from '../lib/types';

type Outcome = 'approved' | 'rejected' | 'banned' | 'ended' | 'closed' | 'unlocked';

interface Props {
  roomId: string;
  /** Called once the waiting is over; 'closed' means the stream ended without a word.
   * 'unlocked' (the room was locked and is no more) does not end the waiting. */
  onOutcome: (outcome: Outcome) => void;
}

/** The guest's waiting screen, live on the lobby stream. */
export function LobbyWait({ roomId, onOutcome }: Props) {
  const { t } = useI18n();
  const [locked, setLocked] = useState(false);

  useEffect(() => {
    const es = new EventSource(`/api/rooms/${roomId}/lobby/stream`);
    let done = false;
    let wasLocked = false;
    const finish = (o: Outcome) => {
      if (done) return;
      done = true;
      es.close();
      onOutcome(o);
    };
    const onEntry = (entry: LobbyEntry) => {
      if (entry.status === 'APPROVED') finish('approved');
      else if (entry.status === 'REJECTED') finish('rejected');
    };
    const onRoom = (room: RoomState) => {
      setLocked(room.locked);
      if (room.status === 'ENDED') finish('ended');
      else if (wasLocked && !room.locked && !done) onOutcome('unlocked');
      wasLocked = room.locked;
    };
    es.addEventListener('snapshot', (e) => {
      const data = JSON.parse(e.data) as { room: RoomState; entry: LobbyEntry };
      onRoom(data.room);
      onEntry(data.entry);
    });
    es.addEventListener('lobby.decision', (e) => onEntry(JSON.parse(e.data) as LobbyEntry));
    es.addEventListener('room.state', (e) => onRoom(JSON.parse(e.data) as RoomState));
    // A ban while waiting comes as "removed" (with its reason) before the rejection.
    es.addEventListener('removed', (e) => {
      const { reason } = JSON.parse(e.data) as { reason: string };
      finish(reason === 'banned' ? 'banned' : 'rejected');
    });
    es.onerror = () => {
      if (es.readyState === EventSource.CLOSED) finish('closed');
    };
    return () => {
      done = true;
      es.close();
    };
  }, [roomId, onOutcome]);

  return (
    <div className="card stack waiting" role="status" aria-live="polite">
      {locked ? (
        <p className="warning">{t('join.lockedWhileWaiting')}</p>
      ) : (
        <>
          <div className="spinner" aria-hidden="true" />
          <p>{t('join.waiting')}</p>
        </>
      )}
    </div>
  );
}
