import { api } from '../lib/api';
import type { ModerationAction } from '../lib/types';

export function moderate(roomId: string, action: ModerationAction, identity?: string): Promise<unknown> {
  return api('POST', `/api/rooms/${roomId}/moderate`, identity ? { action, identity } : { action });
}
