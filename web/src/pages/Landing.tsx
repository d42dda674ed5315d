import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { useI18n } from '../i18n';
import { useAuth } from '../lib/auth';
import { useInstance } from '../lib/instance';

export function Landing() {
  const { t } = useI18n();
  const { user } = useAuth();
  const navigate = useNavigate();
  const [code, setCode] = useState('');
  const instance = useInstance();

  const onJoin = (e: FormEvent) => {
    e.preventDefault();
    const clean = code.trim();
    if (clean) navigate(`/join/${encodeURIComponent(clean)}`);
  };

  return (
    <section className="landing">
      <h1>{t('landing.title')}</h1>
      <p className="lead">{t('landing.lead')}</p>
      <form onSubmit={onJoin} className="card stack">
        <h2>{t('landing.joinTitle')}</h2>
        <label>
          {t('landing.code')}
          <input value={code} onChange={(e) => setCode(e.target.value)} placeholder="abc-defg-hjk" required />
        </label>
        <button type="submit" className="primary">
          {t('landing.join')}
        </button>
      </form>
      <div className="card stack">
        <h2>{t('landing.hostTitle')}</h2>
        <p>{t('landing.hostText')}</p>
        {user ? (
          <Link to="/dashboard" className="button primary">
            {t('nav.dashboard')}
          </Link>
        ) : (
          <div className="row">
            <Link to="/login" className="button primary">
              {t('nav.login')}
            </Link>
            {instance?.registrationOpen && (
              <Link to="/register" className="button">
                {t('auth.register')}
              </Link>
            )}
          </div>
        )}
      </div>
    </section>
  );
}
