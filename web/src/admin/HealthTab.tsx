import { useCallback, useEffect, useState } from 'react';
import { useI18n } from '../i18n';
import { api } from '../lib/api';
import type { Health } from '../lib/types';
import { ErrorText } from '../components/ErrorText';

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
          {Object.entries(health).map(([name, c]) => (
            <li key={name} className="card row between wrap">
              <strong>{name}</strong>
              <span className="row wrap">
                <span className={`badge ${c.status === 'ok' ? 'status-live' : 'alert'}`}>
                  {c.status === 'ok' ? t('admin.health.ok') : c.status}
                </span>
                <span className="muted small">{t('admin.health.latency', { ms: c.latencyMs.toFixed(1) })}</span>
              </span>
              {c.error && <p className="error small break">{c.error}</p>}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
