import { useSearchParams } from 'react-router';
import { useI18n, type MessageKey } from '../i18n';
import { publicBase, useInstance } from '../lib/instance';
import { CopyField } from '../components/CopyField';
import { QrCode } from '../components/QrCode';

// The platforms a class brings, each with its few steps (i18n keys trust.<id>.1, .2, ...).
const platforms: { id: string; steps: number }[] = [
  { id: 'windows', steps: 4 },
  { id: 'macos', steps: 4 },
  { id: 'linux', steps: 3 },
  { id: 'firefox', steps: 3 },
  { id: 'android', steps: 4 },
  { id: 'ios', steps: 4 },
];

/** Invite codes as the server makes them; anything else in ?room= is ignored. */
const codePattern = /^[A-Za-z0-9-]{4,32}$/;

/**
 * How a student's device comes to trust this server in LAN mode (TLS=lan): the certificate
 * authority to download, the steps per platform, what the browser says until then, and a QR
 * code of the invite link for the teacher to show. Public: students see it before signing in.
 */
export function Trust() {
  const { t } = useI18n();
  const instance = useInstance();
  const [params] = useSearchParams();
  const code = params.get('room') ?? '';
  const base = publicBase(instance);
  const plainCA = `${base.replace(/^https:/, 'http:')}/ca.crt`;
  const invite = codePattern.test(code) ? `${base}/join/${code}` : '';
  const lan = instance?.tls === 'lan';

  return (
    <div className="trust stack">
      <h1>{t('trust.title')}</h1>
      {instance === undefined ? (
        <p>{t('common.loading')}</p>
      ) : instance === null ? (
        <p className="error" role="alert">
          {t('common.pageLoadFailed')}
        </p>
      ) : !lan ? (
        <p>{t('trust.notLan')}</p>
      ) : (
        <>
          <p>{t('trust.why')}</p>
          <section className="card stack" aria-labelledby="trust-warning">
            <h2 id="trust-warning">{t('trust.warningTitle')}</h2>
            <p>{t('trust.warning')}</p>
            <ul>
              <li>{t('trust.warningChrome')}</li>
              <li>{t('trust.warningFirefox')}</li>
              <li>{t('trust.warningSafari')}</li>
            </ul>
            <p>{t('trust.warningDo')}</p>
          </section>
          <section className="card stack" aria-labelledby="trust-download">
            <h2 id="trust-download">{t('trust.downloadTitle')}</h2>
            <p>
              <a className="button primary" href={instance.caUrl} download="liveserver-ca.crt">
                {t('trust.download')}
              </a>
            </p>
            {/* A device that does not trust the CA yet gets a warning instead of any HTTPS
                page, this one included: the certificate is served in plain HTTP too. */}
            <p>
              {t('trust.plain')} <code>{plainCA}</code>
            </p>
            <p className="muted">{t('trust.fingerprint')}</p>
            <code className="fingerprint">{instance.caFingerprint}</code>
          </section>
          <section className="stack" aria-labelledby="trust-steps">
            <h2 id="trust-steps">{t('trust.stepsTitle')}</h2>
            {platforms.map((p) => (
              <details key={p.id} className="card">
                <summary>{t(`trust.${p.id}` as MessageKey)}</summary>
                <ol>
                  {Array.from({ length: p.steps }, (_, i) => (
                    <li key={i}>{t(`trust.${p.id}.${i + 1}` as MessageKey)}</li>
                  ))}
                </ol>
              </details>
            ))}
          </section>
        </>
      )}
      {invite && (
        <section className="card stack" aria-labelledby="trust-invite">
          <h2 id="trust-invite">{t('trust.inviteTitle')}</h2>
          <p>{lan ? t('trust.inviteLan') : t('trust.invite')}</p>
          <QrCode text={invite} label={t('trust.qr', { link: invite })} />
          <CopyField label={t('dash.invite')} value={invite} />
        </section>
      )}
    </div>
  );
}
