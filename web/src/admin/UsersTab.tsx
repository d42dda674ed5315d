import { useCallback, useEffect, useState } from 'react';
import { useI18n } from '../i18n';
import { api } from '../lib/api';
import { useAuth } from '../lib/auth';
import type { AdminUser, Role } from '../lib/types';
import { ErrorText } from '../components/ErrorText';
import { ConfirmDialog } from '../components/ConfirmDialog';

interface Failure {
  userId: string;
  error: unknown;
}

/** Users: change a role, disable or enable an account (which signs it out everywhere). */
export function UsersTab() {
  const { t } = useI18n();
  const { user: me } = useAuth();
  const [users, setUsers] = useState<AdminUser[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [failure, setFailure] = useState<Failure | null>(null);
  const [toggling, setToggling] = useState<AdminUser | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const load = useCallback(() => {
    setError(null);
    return api<AdminUser[]>('GET', '/api/admin/users').then(setUsers).catch(setError);
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const patch = (u: AdminUser, body: { role?: Role; disabled?: boolean }) => {
    setBusy(u.id);
    setFailure(null);
    api<AdminUser>('PATCH', `/api/admin/users/${u.id}`, body)
      .then((next) => setUsers((list) => list?.map((x) => (x.id === next.id ? next : x)) ?? null))
      .catch((err: unknown) => setFailure({ userId: u.id, error: err }))
      .finally(() => setBusy(null));
  };

  return (
    <div className="stack">
      <div className="row between wrap">
        <h2>{t('admin.users.title')}</h2>
        <button type="button" onClick={() => void load()}>
          {t('admin.refresh')}
        </button>
      </div>
      <ErrorText error={error} />
      {users === null && !error && <p>{t('common.loading')}</p>}
      <ul className="rooms">
        {users?.map((u) => (
          <li key={u.id} className="card stack tight" aria-label={u.email}>
            <div className="row between wrap">
              <h3 className="break">{u.email}</h3>
              <span>
                {u.id === me?.id && <span className="badge">{t('admin.users.you')}</span>}
                {u.disabled && <span className="badge alert">{t('admin.users.disabled')}</span>}
              </span>
            </div>
            <p className="muted small">{u.name}</p>
            <div className="row wrap">
              <label className="inline">
                {t('admin.users.role')}
                <select
                  value={u.role}
                  disabled={busy === u.id}
                  aria-label={t('admin.users.roleOf', { email: u.email })}
                  onChange={(e) => patch(u, { role: e.target.value as Role })}
                >
                  <option value="HOST">{t('role.HOST')}</option>
                  <option value="ADMIN">{t('role.ADMIN')}</option>
                </select>
              </label>
              <button
                type="button"
                className={u.disabled ? '' : 'danger'}
                disabled={busy === u.id}
                onClick={() => setToggling(u)}
                aria-label={t(u.disabled ? 'admin.users.enableName' : 'admin.users.disableName', { email: u.email })}
              >
                {u.disabled ? t('admin.users.enable') : t('admin.users.disable')}
              </button>
            </div>
            {failure?.userId === u.id && <ErrorText error={failure.error} />}
          </li>
        ))}
      </ul>
      <ConfirmDialog
        open={toggling !== null}
        title={toggling?.disabled ? t('admin.users.enableTitle') : t('admin.users.disableTitle')}
        confirmLabel={toggling?.disabled ? t('admin.users.enable') : t('admin.users.disable')}
        danger={!toggling?.disabled}
        onCancel={() => setToggling(null)}
        onConfirm={() => {
          const u = toggling;
          setToggling(null);
          if (u) patch(u, { disabled: !u.disabled });
        }}
      >
        <p>
          {toggling?.disabled
            ? t('admin.users.enableText', { email: toggling.email })
            : t('admin.users.disableText', { email: toggling?.email ?? '' })}
        </p>
      </ConfirmDialog>
    </div>
  );
}
