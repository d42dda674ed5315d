import { Route, Routes } from 'react-router';
import { Header } from './components/Header';
import { LazyPage } from './components/LazyPage';
import { Landing } from './pages/Landing';
import { Login } from './pages/Login';
import { Register } from './pages/Register';
import { Setup } from './pages/Setup';
import { Dashboard } from './pages/Dashboard';
import { Join } from './pages/Join';
import { AdminPage, LecturePage, RoomPage, TrustPage } from './pages/lazy';
import { NotFound } from './pages/NotFound';

export function App() {
  return (
    <Routes>
      <Route
        path="/room/:code"
        element={
          <LazyPage standalone>
            <RoomPage />
          </LazyPage>
        }
      />
      <Route
        path="*"
        element={
          <>
            <Header />
            <main className="page">
              <Routes>
                <Route path="/" element={<Landing />} />
                <Route path="/login" element={<Login />} />
                <Route path="/register" element={<Register />} />
                <Route path="/setup" element={<Setup />} />
                <Route path="/dashboard" element={<Dashboard />} />
                <Route path="/join/:code" element={<Join />} />
                <Route
                  path="/trust"
                  element={
                    <LazyPage>
                      <TrustPage />
                    </LazyPage>
                  }
                />
                <Route
                  path="/lectures/:id"
                  element={
                    <LazyPage>
                      <LecturePage />
                    </LazyPage>
                  }
                />
                <Route
                  path="/admin"
                  element={
                    <LazyPage>
                      <AdminPage />
                    </LazyPage>
                  }
                />
                <Route path="*" element={<NotFound />} />
              </Routes>
            </main>
          </>
        }
      />
    </Routes>
  );
}
