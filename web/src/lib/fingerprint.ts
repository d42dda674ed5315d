// A stable browser fingerprint for the join request: SHA-256 of traits that do not change between
// visits (no canvas or audio probing), base64url.

function traits(): string {
  const n = navigator;
  const s = window.screen;
  return JSON.stringify([
    n.userAgent,
    n.languages.join(','),
    n.hardwareConcurrency,
    n.maxTouchPoints,
    s.width,
    s.height,
    s.colorDepth,
    window.devicePixelRatio,
    Intl.DateTimeFormat().resolvedOptions().timeZone,
  ]);
}

/** Throws when the page is not a secure context (crypto.subtle is missing). */
export async function browserFingerprint(): Promise<string> {
  if (!window.crypto?.subtle) throw new Error('insecure_context');
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(traits()));
  let bin = '';
  for (const b of new Uint8Array(digest)) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
