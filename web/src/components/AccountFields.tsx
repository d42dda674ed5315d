// The name, e-mail and password of a new account, as the registration and setup pages ask them.
import { useI18n } from '../i18n';

export interface Account {
  name: string;
  email: string;
  password: string;
}

export function AccountFields({ value, onChange }: { value: Account; onChange: (next: Account) => void }) {
  const { t } = useI18n();
  const set = (field: keyof Account) => (e: { target: { value: string } }) => onChange({ ...value, [field]: e.target.value });
  return (
    <>
      <label>
        {t('auth.name')}
        <input autoComplete="name" value={value.name} maxLength={100} onChange={set('name')} required />
      </label>
      <label>
        {t('auth.email')}
        <input type="email" autoComplete="email" value={value.email} onChange={set('email')} required />
      </label>
      <label>
        {t('auth.password')}
        <input
          type="password"
          autoComplete="new-password"
          minLength={8}
          maxLength={256}
          value={value.password}
          onChange={set('password')}
          required
        />
        <small>{t('auth.passwordHint')}</small>
      </label>
    </>
  );
}
