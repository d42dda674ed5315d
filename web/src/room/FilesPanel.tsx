import { useState, type ChangeEvent } from 'react';
import { useI18n } from '../i18n';
import { api, upload } from '../lib/api';
import { fileSize } from '../lib/format';
import type { SharedFile } from '../lib/types';
import type { RoomEventsDispatch } from './useRoomEvents';
import { ErrorText } from '../components/ErrorText';

interface Props {
  roomId: string;
  files: SharedFile[];
  myIdentity: string;
  enabled: boolean;
  isHost: boolean;
  dispatch: RoomEventsDispatch;
}

export function FilesPanel({ roomId, files, myIdentity, enabled, isHost, dispatch }: Props) {
  const { t, lang } = useI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const onPick = (e: ChangeEvent<HTMLInputElement>) => {
    const input = e.currentTarget;
    const file = input.files?.[0];
    if (!file) return;
    setBusy(true);
    setError(null);
    upload<SharedFile>(`/api/rooms/${roomId}/files`, file)
      .then((f) => dispatch({ type: 'files', files: [f] }))
      .catch(setError)
      .finally(() => {
        setBusy(false);
        input.value = '';
      });
  };

  const remove = (id: string) => {
    setError(null);
    api('DELETE', `/api/rooms/${roomId}/files/${id}`)
      .then(() => dispatch({ type: 'fileDeleted', id }))
      .catch(setError);
  };

  return (
    <div className="stack">
      {enabled ? (
        <label className="button">
          {busy ? t('files.uploading') : t('files.upload')}
          <input type="file" className="visually-hidden" onChange={onPick} disabled={busy} />
        </label>
      ) : (
        <p className="muted">{t('files.disabled')}</p>
      )}
      <ErrorText error={error} />
      {files.length === 0 && <p className="muted">{t('files.empty')}</p>}
      <ul className="list">
        {files.map((f) => (
          <li key={f.id} className="row between">
            <span>
              <a href={`/api/rooms/${roomId}/files/${f.id}`} download={f.name}>
                {f.name}
              </a>{' '}
              <span className="muted small">
                {fileSize(f.size, lang)} · {f.uploader}
              </span>
            </span>
            {(isHost || f.identity === myIdentity) && (
              <button
                type="button"
                className="link small"
                aria-label={t('files.delete', { name: f.name })}
                onClick={() => remove(f.id)}
              >
                {t('common.delete')}
              </button>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
