import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useI18n } from '../i18n';
import { api, ApiError } from '../lib/api';
import { browserFingerprint } from '../lib/fingerprint';
import type { JoinAnswer, PublicRoom } from '../lib/types';
import { ErrorText } from '../components/ErrorText';
import { LobbyWait } from './LobbyWait';
import { loadRoomPage } from './lazy';

const nameKey = 'liveserver.guestName';
type Phase = 'form' | 'joining' | 'waiting' | 'rejected' | 'banned' | 'ended';

export function Join() {
  const { t } = useI18n();
  const { code = '' } = useParams();
  const navigate = useNavigate();
  const [room, setRoom] = useState<PublicRoom | null>(null);
  const [lookupError, setLookupError] = useState<unknown>(null);
  const [name, setName] = useState(() => localStorage.getItem(nameKey) ?? '');
  const [pin, setPin] = useState('');
  const [phase, setPhase] = useState<Phase>('form');
  const [error, setError] = useState<unknown>(null);
  const retryTimer = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(() => () => clearTimeout(retryTimer.current), []);

  useEffect(() => {
    api<PublicRoom>('GET', `/api/rooms/by-code/${encodeURIComponent(code)}`)
      // An ENDED room is a course between lectures: the knock waits for the next one.
      .then(setRoom)
      .catch(setLookupError);
  }, [code]);

  const join = useCallback(async () => {
    if (!room) return;
    setPhase('joining');
    setError(null);
    // The call comes next: its chunk (LiveKit) loads while the server answers or the guest waits.
    void loadRoomPage().catch(() => undefined);
    try {
      const fingerprint = await browserFingerprint();
      const data = await api<JoinAnswer>('POST', `/api/rooms/${room.id}/join`, {
        name: name.trim(),
        pin,
        fingerprint,
      });
      localStorage.setItem(nameKey, name.trim());
      if (data.status === 'admitted') navigate(`/room/${room.code}`);
      else setPhase('waiting');
    } catch (err) {
      if (err instanceof ApiError && err.code === 'room_locked') {
        // The host sees the knock: wait for "unlock and admit" on the lobby stream.
        localStorage.setItem(nameKey, name.trim());
        setPhase('waiting');
        return;
      }
      setError(err);
      setPhase(err instanceof ApiError && err.code === 'room_ended' ? 'ended' : 'form');
    }
  }, [room, name, pin, navigate]);

  const onOutcome = useCallback(
    (outcome: 'approved' | 'rejected' | 'banned' | 'ended' | 'closed' | 'unlocked') => {
      if (!room) return;
      if (outcome === 'approved') navigate(`/room/${room.code}`);
      // Unlocked without a decision: without a lobby, asking again lets this guest in.
      else if (outcome === 'unlocked') {
        if (!room.lobbyEnabled) void join();
      }
      else if (outcome === 'rejected') setPhase('rejected');
      else if (outcome === 'banned') setPhase('banned');
      else if (outcome === 'ended') setPhase('ended');
      // The stream ended without a decision we saw: asking join again tells the outcome.
      else retryTimer.current = setTimeout(() => void join(), 2000);
    },
    [room, navigate, join],
  );

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void join();
  };

  if (lookupError) {
    return (
      <section className="narrow">
        <h1>{t('join.title')}</h1>
        <ErrorText error={lookupError} />
        <Link to="/">{t('notFound.home')}</Link>
      </section>
    );
  }
  if (!room) return <p>{t('common.loading')}</p>;

  return (
    <section className="narrow stack">
      <h1>{t('join.titleRoom', { name: room.name })}</h1>
      {phase === 'ended' && <p className="warning">{t('err.room_ended')}</p>}
      {phase === 'banned' && (
        <p className="warning" role="alert">
          {t('err.banned')}
        </p>
      )}
      {phase === 'rejected' && (
        <div className="card stack" role="alert">
          <p>{t('join.rejected')}</p>
          <button type="button" onClick={() => void join()}>
            {t('join.knockAgain')}
          </button>
        </div>
      )}
      {phase === 'waiting' && <LobbyWait roomId={room.id} onOutcome={onOutcome} />}
      {(phase === 'form' || phase === 'joining') && (
        <form onSubmit={onSubmit} className="card stack">
          {room.status === 'CREATED' && <p className="muted">{t('join.notStarted')}</p>}
          {room.status === 'ENDED' && <p className="muted">{t('join.betweenLectures')}</p>}
          {room.lobbyEnabled && <p className="muted">{t('join.lobbyNote')}</p>}
          <label>
            {t('join.name')}
            <input
              value={name}
              maxLength={50}
              autoComplete="nickname"
              onChange={(e) => setName(e.target.value)}
              required
            />
          </label>
          {room.hasPin && (
            <label>
              {t('join.pin')}
              <input
                value={pin}
                inputMode="numeric"
                autoComplete="off"
                pattern="[0-9]{4,8}"
                onChange={(e) => setPin(e.target.value)}
                required
              />
            </label>
          )}
          <ErrorText error={error} />
          <button type="submit" className="primary" disabled={phase === 'joining'}>
            {t('join.submit')}
          </button>
        </form>
      )}
    </section>
  );
}
