import { Route, Routes } from 'react-router';
import { Header } from './components/Header';
import { Landing } from './pages/Landing';
import { Login } from './pages/Login';
import { Register } from './pages/Register';
import { Dashboard } from './pages/Dashboard';
import { Join } from './pages/Join';
import { RoomPage } from './pages/Room';
import { LecturePage } from './pages/Lecture';
import { AdminPage } from './pages/Admin';
import { NotFound } from './pages/NotFound';

export function App() {
  return (
    <Routes>
      <Route path="/room/:code" element={<RoomPage />} />
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
                <Route path="/dashboard" element={<Dashboard />} />
                <Route path="/join/:code" element={<Join />} />
                <Route path="/lectures/:id" element={<LecturePage />} />
                <Route path="/admin" element={<AdminPage />} />
                <Route path="*" element={<NotFound />} />
              </Routes>
            </main>
          </>
        }
      />
    </Routes>
  );
}
