import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { useI18n } from '../i18n';
import { useAuth } from '../lib/auth';
import { api } from '../lib/api';
import type { User } from '../lib/types';
import { ErrorText } from '../components/ErrorText';
import { useInstance } from '../lib/instance';

export function Login() {
  const { t } = useI18n();
  const { setUser } = useAuth();
  const navigate = useNavigate();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const instance = useInstance();

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    api<User>('POST', '/api/auth/login', { email, password })
      .then((user) => {
        setUser(user);
        navigate('/dashboard');
      })
      .catch(setError)
      .finally(() => setBusy(false));
  };

  return (
    <form onSubmit={onSubmit} className="card stack narrow">
      <h1>{t('auth.loginTitle')}</h1>
      <label>
        {t('auth.email')}
        <input type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} required />
      </label>
      <label>
        {t('auth.password')}
        <input
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          required
        />
      </label>
      <ErrorText error={error} />
      <button type="submit" className="primary" disabled={busy}>
        {t('auth.login')}
      </button>
      {instance?.registrationOpen && (
        <p>
          {t('auth.noAccount')} <Link to="/register">{t('auth.register')}</Link>
        </p>
      )}
      {instance?.needsSetup && <p>{t('auth.needsSetupText')}</p>}
    </form>
  );
}
