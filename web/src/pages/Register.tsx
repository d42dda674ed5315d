import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { useI18n } from '../i18n';
import { useAuth } from '../lib/auth';
import { api } from '../lib/api';
import type { User } from '../lib/types';
import { AccountFields, type Account } from '../components/AccountFields';
import { ErrorText } from '../components/ErrorText';
import { useInstance } from '../lib/instance';

export function Register() {
  const { t } = useI18n();
  const { setUser } = useAuth();
  const navigate = useNavigate();
  const [account, setAccount] = useState<Account>({ name: '', email: '', password: '' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const instance = useInstance();

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    api<User>('POST', '/api/auth/register', account)
      .then((user) => {
        setUser(user);
        navigate('/dashboard');
      })
      .catch(setError)
      .finally(() => setBusy(false));
  };

  if (instance && !instance.registrationOpen) {
    return (
      <section className="card stack narrow">
        <h1>{t('auth.closedTitle')}</h1>
        <p>{t(instance.needsSetup ? 'auth.needsSetupText' : 'auth.closedText')}</p>
        <p>
          {t('auth.haveAccount')} <Link to="/login">{t('auth.login')}</Link>
        </p>
      </section>
    );
  }

  return (
    <form onSubmit={onSubmit} className="card stack narrow">
      <h1>{t('auth.registerTitle')}</h1>
      <AccountFields value={account} onChange={setAccount} />
      <ErrorText error={error} />
      <button type="submit" className="primary" disabled={busy}>
        {t('auth.register')}
      </button>
      <p>
        {t('auth.haveAccount')} <Link to="/login">{t('auth.login')}</Link>
      </p>
    </form>
  );
}
