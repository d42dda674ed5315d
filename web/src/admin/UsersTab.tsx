import { useCallback, useEffect, useState, type FormEvent } from 'react';
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
      <RegistrationSwitch />
      <CreateUserForm onCreated={(u) => setUsers((list) => (list ? [...list, u] : list))} />
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

interface Settings {
  registrationOpen: boolean;
  registrationClosedByConfig: boolean;
}

/** Whether anyone may register a host account (closed by default on a reachable server). */
function RegistrationSwitch() {
  const { t } = useI18n();
  const [settings, setSettings] = useState<Settings | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    api<Settings>('GET', '/api/admin/settings').then(setSettings).catch(setError);
  }, []);
  // Shown switched at once; put back if the server refuses.
  const toggle = (open: boolean) => {
    const before = settings;
    setBusy(true);
    setError(null);
    setSettings((s) => (s ? { ...s, registrationOpen: open } : s));
    api<Settings>('PATCH', '/api/admin/settings', { registrationOpen: open })
      .then(setSettings)
      .catch((err: unknown) => {
        setSettings(before);
        setError(err);
      })
      .finally(() => setBusy(false));
  };
  return (
    <div className="card stack tight">
      {settings && (
        <label className="inline">
          <input
            type="checkbox"
            checked={settings.registrationOpen}
            disabled={busy || settings.registrationClosedByConfig}
            onChange={(e) => toggle(e.target.checked)}
          />
          {t('admin.users.registration')}
        </label>
      )}
      <p className="muted small">
        {settings?.registrationClosedByConfig ? t('admin.users.registrationFixed') : t('admin.users.registrationHint')}
      </p>
      <ErrorText error={error} />
    </div>
  );
}

/** An account made by the admin, with an initial password to pass on. */
function CreateUserForm({ onCreated }: { onCreated: (u: AdminUser) => void }) {
  const { t } = useI18n();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [created, setCreated] = useState<string | null>(null);
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setCreated(null);
    api<AdminUser>('POST', '/api/admin/users', { name, email, password })
      .then((u) => {
        onCreated(u);
        setCreated(u.email);
        setName('');
        setEmail('');
        setPassword('');
      })
      .catch(setError)
      .finally(() => setBusy(false));
  };
  return (
    <form onSubmit={onSubmit} className="card stack tight" aria-labelledby="create-user-title">
      <h3 id="create-user-title">{t('admin.users.createTitle')}</h3>
      <label>
        {t('auth.name')}
        <input value={name} maxLength={100} onChange={(e) => setName(e.target.value)} required />
      </label>
      <label>
        {t('auth.email')}
        <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} required />
      </label>
      <label>
        {t('admin.users.initialPassword')}
        <input
          type="text"
          autoComplete="off"
          minLength={8}
          maxLength={256}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          required
        />
        <small>{t('admin.users.initialPasswordHint')}</small>
      </label>
      <ErrorText error={error} />
      {created && <p role="status">{t('admin.users.created', { email: created })}</p>}
      <button type="submit" disabled={busy}>
        {t('admin.users.create')}
      </button>
    </form>
  );
}
