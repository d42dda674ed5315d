// The host's switches for the whole room: lock, mute everyone, chat and files on or off.
import { useState } from 'react';
import { useI18n } from '../i18n';
import { api } from '../lib/api';
import type { RoomState } from '../lib/types';
import { ErrorText } from '../components/ErrorText';
import { moderate } from './moderate';

export function RoomSettings({ roomId, room }: { roomId: string; room: RoomState }) {
  const { t } = useI18n();
  const [error, setError] = useState<unknown>(null);
  const run = (p: Promise<unknown>) => {
    setError(null);
    p.catch(setError);
  };
  const patch = (body: { chatEnabled?: boolean; filesEnabled?: boolean }) =>
    run(api('PATCH', `/api/rooms/${roomId}`, body));

  return (
    <section className="stack" aria-labelledby="settings-title">
      <h2 id="settings-title">{t('settings.title')}</h2>
      <div className="row wrap">
        <button type="button" className="small" onClick={() => run(moderate(roomId, room.locked ? 'unlock' : 'lock'))}>
          {room.locked ? t('settings.unlock') : t('settings.lock')}
        </button>
        <button type="button" className="small" onClick={() => run(moderate(roomId, 'mute_all'))}>
          {t('settings.muteAll')}
        </button>
        <label className="check">
          <input type="checkbox" checked={room.chatEnabled} onChange={(e) => patch({ chatEnabled: e.target.checked })} />
          {t('dash.chat')}
        </label>
        <label className="check">
          <input type="checkbox" checked={room.filesEnabled} onChange={(e) => patch({ filesEnabled: e.target.checked })} />
          {t('dash.files')}
        </label>
      </div>
      <ErrorText error={error} />
    </section>
  );
}
