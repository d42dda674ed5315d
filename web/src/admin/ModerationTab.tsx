import { useCallback, useEffect, useRef, useState } from 'react';
import { useI18n } from '../i18n';
import { api } from '../lib/api';
import type { AdminRoom, ModerationEntry } from '../lib/types';
import { dateTime } from '../lib/format';
import { ErrorText } from '../components/ErrorText';

const pageSize = 50;
const actions = [
  'kick', 'ban', 'unban', 'mute', 'mute_all', 'stop_publishing', 'allow_publishing',
  'lock', 'unlock', 'panic', 'lower_hand', 'delete_message',
];

/** The moderation log, newest first, filtered by room and action, paged with "older". */
export function ModerationTab() {
  const { t, lang } = useI18n();
  const [rooms, setRooms] = useState<AdminRoom[]>([]);
  const [roomId, setRoomId] = useState('');
  const [action, setAction] = useState('');
  const [entries, setEntries] = useState<ModerationEntry[] | null>(null);
  const [more, setMore] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  // Only the latest request's answer counts: a page of a filter since changed is dropped.
  const latest = useRef(0);

  useEffect(() => {
    api<AdminRoom[]>('GET', '/api/admin/rooms').then(setRooms).catch(setError);
  }, []);

  const fetchPage = useCallback(
    (before?: string) => {
      const q = new URLSearchParams({ limit: String(pageSize) });
      if (roomId) q.set('roomId', roomId);
      if (action) q.set('action', action);
      if (before) q.set('before', before);
      const n = ++latest.current;
      setBusy(true);
      setError(null);
      return api<ModerationEntry[]>('GET', `/api/admin/moderation-log?${q}`).then(
        (page) => {
          if (n !== latest.current) return;
          setEntries((list) => (before ? [...(list ?? []), ...page] : page));
          setMore(page.length === pageSize);
          setBusy(false);
        },
        (err: unknown) => {
          if (n !== latest.current) return;
          setError(err);
          setBusy(false);
        },
      );
    },
    [roomId, action],
  );
  useEffect(() => {
    void fetchPage();
  }, [fetchPage]);

  const roomName = (id: string) => rooms.find((r) => r.id === id)?.name ?? id.slice(0, 8);
  const last = entries?.[entries.length - 1];

  return (
    <div className="stack">
      <h2>{t('admin.log.title')}</h2>
      <div className="row wrap filters">
        <label>
          {t('admin.log.room')}
          <select value={roomId} onChange={(e) => setRoomId(e.target.value)}>
            <option value="">{t('admin.log.allRooms')}</option>
            {rooms.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name} · {r.code}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('admin.log.action')}
          <select value={action} onChange={(e) => setAction(e.target.value)}>
            <option value="">{t('admin.log.allActions')}</option>
            {actions.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorText error={error} />
      {entries === null && !error && <p>{t('common.loading')}</p>}
      {entries?.length === 0 && <p className="muted">{t('admin.log.none')}</p>}
      {entries && entries.length > 0 && (
        <div className="table-wrap" role="region" aria-label={t('admin.log.title')} tabIndex={0}>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('admin.log.when')}</th>
                <th scope="col">{t('admin.log.room')}</th>
                <th scope="col">{t('admin.log.who')}</th>
                <th scope="col">{t('admin.log.action')}</th>
                <th scope="col">{t('admin.log.target')}</th>
                <th scope="col">{t('admin.log.detail')}</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id}>
                  <td className="nowrap">
                    <time dateTime={e.createdAt}>{dateTime(e.createdAt, lang)}</time>
                  </td>
                  <td>{roomName(e.roomId)}</td>
                  <td>{e.actorName}</td>
                  <td>
                    <code>{e.action}</code>
                  </td>
                  <td>{e.targetName || e.targetIdentity || '—'}</td>
                  <td className="break">{e.detail && e.detail !== '{}' ? <code>{e.detail}</code> : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {more && last && (
        <button type="button" disabled={busy} onClick={() => void fetchPage(last.id)}>
          {t('admin.log.older')}
        </button>
      )}
    </div>
  );
}
