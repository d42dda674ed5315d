// For the host, while the room's PIN is being guessed: what happens, and one click to change it.
// The server keeps letting in students with the right PIN meanwhile (one try a minute per
// address); a new PIN ends the attack for good.
import { useState } from 'react';
import { ShieldAlert } from 'lucide-react';
import { useI18n } from '../i18n';
import { api } from '../lib/api';

/** Six random digits (the shortest PIN the server accepts). */
function randomPIN(): string {
  const n = new Uint32Array(1);
  crypto.getRandomValues(n);
  return String((n[0] ?? 0) % 1_000_000).padStart(6, '0');
}

export function PinAttack({ roomId, onDone, onError }: { roomId: string; onDone: () => void; onError: (e: unknown) => void }) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [pin, setPin] = useState<string | null>(null);
  const change = async () => {
    const next = randomPIN();
    setBusy(true);
    try {
      await api('PATCH', `/api/rooms/${roomId}`, { pin: next });
      setPin(next);
    } catch (e) {
      onError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="pin-attack" role="alert">
      <p>
        <ShieldAlert aria-hidden="true" size={18} /> <strong>{t('pin.attackTitle')}</strong>
      </p>
      {pin ? (
        <p>{t('pin.changed', { pin })}</p>
      ) : (
        <p>{t('pin.attackText')}</p>
      )}
      <p className="row wrap">
        {!pin && (
          <button type="button" className="small" disabled={busy} onClick={() => void change()}>
            {t('pin.change')}
          </button>
        )}
        <button type="button" className="small" onClick={onDone}>
          {pin ? t('pin.done') : t('pin.later')}
        </button>
      </p>
    </div>
  );
}
