import { useCallback, useEffect, useState } from 'react';
import { useI18n } from '../i18n';
import { api } from '../lib/api';
import type { AdminRoom, Room } from '../lib/types';
import { dateTime, fileSize } from '../lib/format';
import { ErrorText } from '../components/ErrorText';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { PastLectures } from '../components/PastLectures';

/** Every room of the instance; an admin may end a live one. */
export function RoomsTab() {
  const { t, lang } = useI18n();
  const [rooms, setRooms] = useState<AdminRoom[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [ending, setEnding] = useState<AdminRoom | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const load = useCallback(() => {
    setError(null);
    return api<AdminRoom[]>('GET', '/api/admin/rooms').then(setRooms).catch(setError);
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const end = (room: AdminRoom) => {
    setBusy(room.id);
    setError(null);
    api<Room>('POST', `/api/rooms/${room.id}/end`)
      .then(() => load())
      .catch(setError)
      .finally(() => setBusy(null));
  };

  const now = (n: number) => (n < 0 ? t('admin.rooms.unknown') : String(n));

  return (
    <div className="stack">
      <div className="row between wrap">
        <h2>{t('admin.rooms.title')}</h2>
        <button type="button" onClick={() => void load()}>
          {t('admin.refresh')}
        </button>
      </div>
      <ErrorText error={error} />
      {rooms === null && !error && <p>{t('common.loading')}</p>}
      {rooms?.length === 0 && <p className="muted">{t('admin.rooms.none')}</p>}
      <ul className="rooms">
        {rooms?.map((room) => (
          <li key={room.id} className="card stack tight" aria-label={room.name}>
            <div className="row between wrap">
              <h3>{room.name}</h3>
              <span className={`badge status-${room.status.toLowerCase()}`}>{t(`status.${room.status}`)}</span>
            </div>
            <p className="muted small">
              {t('admin.rooms.owner', { name: room.ownerName, email: room.ownerEmail })} · {dateTime(room.createdAt, lang)}
            </p>
            <p>
              {t('admin.rooms.participants', { now: now(room.participantsNow), total: room.participantsTotal })}
            </p>
            <p className="muted small">{t('admin.rooms.stored', { size: fileSize(room.storedBytes, lang) })}</p>
            <PastLectures roomId={room.id} version={`${room.status}:${room.lectureId}`} />
            <div className="row wrap">
              {room.status === 'LIVE' && (
                <button
                  type="button"
                  className="danger"
                  disabled={busy === room.id}
                  onClick={() => setEnding(room)}
                  aria-label={t('admin.rooms.endName', { name: room.name })}
                >
                  {t('dash.end')}
                </button>
              )}
            </div>
          </li>
        ))}
      </ul>
      <ConfirmDialog
        open={ending !== null}
        title={t('dash.endConfirmTitle')}
        confirmLabel={t('dash.end')}
        danger
        onCancel={() => setEnding(null)}
        onConfirm={() => {
          const room = ending;
          setEnding(null);
          if (room) end(room);
        }}
      >
        <p>{t('admin.rooms.endText', { name: ending?.name ?? '', owner: ending?.ownerName ?? '' })}</p>
      </ConfirmDialog>
    </div>
  );
}
