import { useState, type FormEvent } from 'react';
import { useI18n } from '../i18n';
import { api } from '../lib/api';
import type { Room } from '../lib/types';
import { ErrorText } from './ErrorText';

export function CreateRoomForm({ onCreated }: { onCreated: (room: Room) => void }) {
  const { t } = useI18n();
  const [name, setName] = useState('');
  const [lobbyEnabled, setLobby] = useState(true);
  const [pin, setPin] = useState('');
  const [chatEnabled, setChat] = useState(true);
  const [filesEnabled, setFiles] = useState(true);
  const [maxParticipants, setMax] = useState(100);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    api<Room>('POST', '/api/rooms', { name, lobbyEnabled, pin, chatEnabled, filesEnabled, maxParticipants })
      .then((room) => {
        setName('');
        setPin('');
        onCreated(room);
      })
      .catch(setError)
      .finally(() => setBusy(false));
  };

  return (
    <form onSubmit={onSubmit} className="card stack">
      <h2>{t('dash.createTitle')}</h2>
      <label>
        {t('dash.roomName')}
        <input value={name} maxLength={100} onChange={(e) => setName(e.target.value)} required />
      </label>
      <label>
        {t('dash.pin')}
        <input
          value={pin}
          inputMode="numeric"
          pattern="[0-9]{6,8}"
          autoComplete="off"
          onChange={(e) => setPin(e.target.value)}
        />
        <small>{t('dash.pinHint')}</small>
      </label>
      <label>
        {t('dash.maxParticipants')}
        <input
          type="number"
          min={2}
          max={1000}
          value={maxParticipants}
          onChange={(e) => setMax(Number(e.target.value))}
          required
        />
      </label>
      <fieldset className="row wrap">
        <legend>{t('dash.settings')}</legend>
        <label className="check">
          <input type="checkbox" checked={lobbyEnabled} onChange={(e) => setLobby(e.target.checked)} />
          {t('dash.lobby')}
        </label>
        <label className="check">
          <input type="checkbox" checked={chatEnabled} onChange={(e) => setChat(e.target.checked)} />
          {t('dash.chat')}
        </label>
        <label className="check">
          <input type="checkbox" checked={filesEnabled} onChange={(e) => setFiles(e.target.checked)} />
          {t('dash.files')}
        </label>
      </fieldset>
      <ErrorText error={error} />
      <button type="submit" className="primary" disabled={busy}>
        {t('dash.create')}
      </button>
    </form>
  );
}
