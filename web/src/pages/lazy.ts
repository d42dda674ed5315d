// The pages that come in their own chunks (see components/LazyPage.tsx). The call's chunk holds
// LiveKit (client, components and styles): the landing, join and dashboard pages do without it.
import { lazy } from 'react';

export const loadRoomPage = () => import('./Room');

export const RoomPage = lazy(() => loadRoomPage().then((m) => ({ default: m.RoomPage })));
export const LecturePage = lazy(() => import('./Lecture').then((m) => ({ default: m.LecturePage })));
export const AdminPage = lazy(() => import('./Admin').then((m) => ({ default: m.AdminPage })));
export const TrustPage = lazy(() => import('./Trust').then((m) => ({ default: m.Trust })));
