import { useEffect, useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { useI18n } from '../i18n';
import { useAuth } from '../lib/auth';
import { api } from '../lib/api';
import type { User } from '../lib/types';
import { AccountFields, type Account } from '../components/AccountFields';
import { ErrorText } from '../components/ErrorText';

/**
 * The first administrator of a server others can reach: the server's log shows a one-time
 * link /setup#TOKEN. The token is in the fragment, which the browser sends to no server (no
 * access log, no Referer); it is taken off the address bar at once (a projector, the history).
 */
export function Setup() {
  const { t } = useI18n();
  const { setUser } = useAuth();
  const navigate = useNavigate();
  const [token] = useState(() => window.location.hash.slice(1));
  const [account, setAccount] = useState<Account>({ name: '', email: '', password: '' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    if (window.location.hash) window.history.replaceState(null, '', window.location.pathname);
  }, []);

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    api<User>('POST', '/api/setup', { token, ...account })
      .then((user) => {
        setUser(user);
        navigate('/admin');
      })
      .catch(setError)
      .finally(() => setBusy(false));
  };

  if (!token) {
    return (
      <section className="card stack narrow">
        <h1>{t('setup.title')}</h1>
        <p>{t('setup.noToken')}</p>
      </section>
    );
  }
  return (
    <form onSubmit={onSubmit} className="card stack narrow">
      <h1>{t('setup.title')}</h1>
      <p>{t('setup.lead')}</p>
      <AccountFields value={account} onChange={setAccount} />
      <ErrorText error={error} />
      <button type="submit" className="primary" disabled={busy}>
        {t('setup.submit')}
      </button>
    </form>
  );
}
