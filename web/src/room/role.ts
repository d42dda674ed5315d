/**
 * A participant's role from its metadata, which the server puts in the call token
 * (`{"role":"host"}` or `{"role":"guest"}`) and LiveKit hands to everyone in the room; "guest"
 * for anything else.
 */
export function roleOf(metadata: string | undefined): string {
  try {
    return (JSON.parse(metadata || '{}') as { role?: string }).role ?? 'guest';
  } catch {
    return 'guest';
  }
}
