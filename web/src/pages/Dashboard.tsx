import { useEffect, useState } from 'react';
import { Navigate } from 'react-router';
import { useI18n } from '../i18n';
import { useAuth } from '../lib/auth';
import { api } from '../lib/api';
import type { Room } from '../lib/types';
import { AuthFailed } from '../components/AuthFailed';
import { ErrorText } from '../components/ErrorText';
import { CreateRoomForm } from '../components/CreateRoomForm';
import { RoomCard } from '../components/RoomCard';

export function Dashboard() {
  const { t } = useI18n();
  const { user, loading, error: authError } = useAuth();
  const [rooms, setRooms] = useState<Room[] | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    if (!user) return;
    api<Room[]>('GET', '/api/rooms').then(setRooms).catch(setError);
  }, [user]);

  if (loading) return <p>{t('common.loading')}</p>;
  if (!user) return authError ? <AuthFailed /> : <Navigate to="/login" replace />;

  const replace = (room: Room) => setRooms((list) => list?.map((r) => (r.id === room.id ? room : r)) ?? [room]);

  return (
    <div className="dashboard">
      <h1>{t('dash.title', { name: user.name })}</h1>
      <CreateRoomForm onCreated={(room) => setRooms((list) => [room, ...(list ?? [])])} />
      <section className="stack">
        <h2>{t('dash.myRooms')}</h2>
        <ErrorText error={error} />
        {rooms === null && !error && <p>{t('common.loading')}</p>}
        {rooms?.length === 0 && <p className="muted">{t('dash.noRooms')}</p>}
        <ul className="rooms">
          {rooms?.map((room) => (
            <RoomCard
              key={room.id}
              room={room}
              onChanged={replace}
              onDeleted={(id) => setRooms((list) => list?.filter((r) => r.id !== id) ?? null)}
            />
          ))}
        </ul>
      </section>
    </div>
  );
}
