import { useI18n } from '../i18n';
import { errorText } from '../lib/errors';

/** An error for the user, announced to screen readers; nothing when there is none. */
export function ErrorText({ error }: { error: unknown }) {
  const { t, lang } = useI18n();
  if (error === null || error === undefined) return null;
  return (
    <p className="error" role="alert">
      {errorText(t, error, lang)}
    </p>
  );
}
