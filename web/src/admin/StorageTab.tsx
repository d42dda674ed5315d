import { useCallback, useEffect, useState } from 'react';
import { useI18n } from '../i18n';
import { api } from '../lib/api';
import type { Storage } from '../lib/types';
import { fileSize } from '../lib/format';
import { ErrorText } from '../components/ErrorText';

/** What the instance stores against its quotas, the disk against its margin, the top hosts. */
export function StorageTab() {
  const { t, lang } = useI18n();
  const [storage, setStorage] = useState<Storage | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(() => {
    setBusy(true);
    setError(null);
    api<Storage>('GET', '/api/admin/storage')
      .then(setStorage)
      .catch(setError)
      .finally(() => setBusy(false));
  }, []);
  useEffect(load, [load]);

  const size = (n: number) => fileSize(n, lang);
  const limit = (n: number) => (n > 0 ? size(n) : t('admin.storage.unlimited'));

  return (
    <div className="stack">
      <div className="row between wrap">
        <h2>{t('admin.storage.title')}</h2>
        <button type="button" onClick={load} disabled={busy}>
          {t('admin.refresh')}
        </button>
      </div>
      <ErrorText error={error} />
      {storage === null && !error && <p>{t('common.loading')}</p>}
      {storage && (
        <>
          <ul className="list health">
            <li className="card row between wrap">
              <strong>{t('admin.storage.instance')}</strong>
              <span className="row wrap">
                {storage.quotas.instanceBytes > 0 && storage.usedBytes >= storage.quotas.instanceBytes && (
                  <span className="badge alert">{t('admin.storage.full')}</span>
                )}
                <span>{t('admin.storage.usedOf', { used: size(storage.usedBytes), limit: limit(storage.quotas.instanceBytes) })}</span>
              </span>
            </li>
            <li className="card row between wrap">
              <strong>{t('admin.storage.disk')}</strong>
              {storage.disk ? (
                <span className="row wrap">
                  <span className={storage.disk.freeBytes < storage.disk.marginBytes ? 'badge alert' : 'badge status-live'}>
                    {storage.disk.freeBytes < storage.disk.marginBytes ? t('admin.storage.belowMargin') : t('admin.health.ok')}
                  </span>
                  <span>
                    {t('admin.storage.free', {
                      free: size(storage.disk.freeBytes),
                      total: size(storage.disk.totalBytes),
                      margin: storage.disk.marginBytes > 0 ? size(storage.disk.marginBytes) : t('admin.storage.noMargin'),
                    })}
                  </span>
                </span>
              ) : (
                <span className="muted">{t('admin.storage.notOnDisk')}</span>
              )}
            </li>
            <li className="card row between wrap">
              <strong>{t('admin.storage.quotas')}</strong>
              <span>
                {t('admin.storage.quotaValues', { room: limit(storage.quotas.roomBytes), host: limit(storage.quotas.hostBytes) })}
              </span>
            </li>
          </ul>
          <h3>{t('admin.storage.hosts')}</h3>
          {storage.hosts.length === 0 ? (
            <p className="muted">{t('admin.storage.noHosts')}</p>
          ) : (
            <div className="table-wrap" role="region" aria-label={t('admin.storage.hosts')} tabIndex={0}>
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t('admin.storage.host')}</th>
                    <th scope="col">{t('admin.storage.stored')}</th>
                  </tr>
                </thead>
                <tbody>
                  {storage.hosts.map((h) => (
                    <tr key={h.userId}>
                      <td>
                        {h.name} <span className="muted small">{h.email}</span>
                      </td>
                      <td className="nowrap">
                        {t('admin.storage.usedOf', { used: size(h.bytes), limit: limit(storage.quotas.hostBytes) })}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </div>
  );
}
