import { useCallback, useEffect, useState } from 'react';
import { useI18n, type MessageKey } from '../i18n';
import { api } from '../lib/api';
import type { Health } from '../lib/types';
import { ErrorText } from '../components/ErrorText';

// Labels for the names and statuses the server sends; anything else is shown as it came.
const names = new Map<string, MessageKey>([
  ['database', 'admin.health.name.database'],
  ['bus', 'admin.health.name.bus'],
  ['storage', 'admin.health.name.storage'],
  ['livekit', 'admin.health.name.livekit'],
  ['agent', 'admin.health.name.agent'],
]);
const statuses = new Map<string, MessageKey>([
  ['ok', 'admin.health.ok'],
  ['down', 'admin.health.down'],
  ['off', 'admin.health.off'],
]);

/** Each dependency's status and latency, asked on opening and on "refresh". */
export function HealthTab() {
  const { t } = useI18n();
  const [health, setHealth] = useState<Health | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(() => {
    setBusy(true);
    setError(null);
    api<Health>('GET', '/api/admin/health')
      .then(setHealth)
      .catch(setError)
      .finally(() => setBusy(false));
  }, []);
  useEffect(load, [load]);

  return (
    <div className="stack">
      <div className="row between wrap">
        <h2>{t('admin.health.title')}</h2>
        <button type="button" onClick={load} disabled={busy}>
          {t('admin.refresh')}
        </button>
      </div>
      <ErrorText error={error} />
      {health === null && !error && <p>{t('common.loading')}</p>}
      {health && (
        <ul className="list health">
          {Object.entries(health).map(([name, c]) => {
            const label = names.get(name);
            const status = statuses.get(c.status);
            // "off" is a choice of configuration, not a failure, and nothing was measured.
            const off = c.status === 'off';
            return (
              <li key={name} className="card row between wrap">
                <strong>{label ? t(label) : name}</strong>
                <span className="row wrap">
                  {c.workers !== undefined && (
                    <span className="muted small">
                      {t('admin.health.agentLoad', { workers: c.workers, rooms: c.rooms ?? 0, tracks: c.tracks ?? 0 })}
                    </span>
                  )}
                  <span className={c.status === 'ok' ? 'badge status-live' : off ? 'badge' : 'badge alert'}>
                    {status ? t(status) : c.status}
                  </span>
                  {!off && <span className="muted small">{t('admin.health.latency', { ms: c.latencyMs.toFixed(1) })}</span>}
                </span>
                {c.error && <p className={`${off ? 'muted' : 'error'} small break`}>{c.error}</p>}
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
