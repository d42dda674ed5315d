import { useEffect, useId, useState } from 'react';
import { useI18n } from '../i18n';

/** A link to pass on: a read-only field, selected on focus, and a button that copies it. */
export function CopyField({ label, value }: { label: string; value: string }) {
  const { t } = useI18n();
  const id = useId();
  const [copied, setCopied] = useState(false);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(false), 2000);
    return () => clearTimeout(timer);
  }, [copied]);

  const copy = () => {
    setFailed(false);
    // No clipboard outside a secure context: navigator.clipboard is undefined there.
    Promise.resolve()
      .then(() => navigator.clipboard.writeText(value))
      .then(
        () => setCopied(true),
        () => setFailed(true),
      );
  };

  return (
    <div className="stack tight">
      <label htmlFor={id}>{label}</label>
      <div className="row">
        <input id={id} className="grow" readOnly value={value} onFocus={(e) => e.currentTarget.select()} />
        <button type="button" onClick={copy}>
          {copied ? t('dash.copied') : t('dash.copy')}
        </button>
      </div>
      {failed && (
        <p className="error" role="alert">
          {t('dash.copyFailed')}
        </p>
      )}
    </div>
  );
}
