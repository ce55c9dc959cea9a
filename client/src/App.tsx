import { useEffect, useState, type ReactNode } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router';
import { ROLE_HOME, type Role, type SessionInfo } from '../../server/protocol/roles.js';
import { fetchSession } from './api.js';
import { Layout } from './components/Layout.js';
import { ConsoleShell } from './pages/ConsoleShell.js';
import { DesktopShell } from './pages/DesktopShell.js';
import { ForbiddenPage } from './pages/ForbiddenPage.js';
import { LoginPage } from './pages/LoginPage.js';
import { ModerationShell } from './pages/ModerationShell.js';
import { ReplayPage } from './moderation/ReplayPage.js';
import { NotFoundPage } from './pages/NotFoundPage.js';
import { PasswordPage } from './pages/PasswordPage.js';
import { UsersPage } from './pages/UsersPage.js';
import { IqaShell } from './pages/IqaShell.js';
import { CentresPage } from './admin/CentresPage.js';
import { SittingRecordsPage } from './admin/SittingRecordsPage.js';
import { ScenariosPage } from './scenarios/ScenariosPage.js';
import { SessionContext } from './session.js';

function RoleRoute({ session, roles, children }: { session: SessionInfo | undefined; roles: Role[]; children: ReactNode }) {
  const location = useLocation();
  if (!session) return <Navigate to={`/login?next=${encodeURIComponent(location.pathname)}`} replace />;
  // A password an administrator set: nothing else until the user has chosen their own (the API refuses the rest too).
  if (session.user.mustChangePassword) return <Layout><PasswordPage forced /></Layout>;
  if (!roles.includes(session.user.role)) return <ForbiddenPage />;
  return <Layout>{children}</Layout>;
}

export function App() {
  const [session, setSession] = useState<SessionInfo | undefined>();
  const [loading, setLoading] = useState(true);
  const [loadError, setLoadError] = useState<string | undefined>();

  useEffect(() => {
    fetchSession()
      .then(setSession)
      .catch((err: unknown) => setLoadError(err instanceof Error ? err.message : String(err)))
      .finally(() => setLoading(false));
  }, []);

  if (loading) return <p className="centred">Loading…</p>;
  if (loadError) return <p className="centred error">The server could not be reached: {loadError}</p>;

  return (
    <SessionContext.Provider value={{ session, setSession }}>
      <Routes>
        <Route path="/login" element={<LoginPage />} />
        <Route path="/" element={session ? <Navigate to={ROLE_HOME[session.user.role]} replace /> : <Navigate to="/login" replace />} />
        <Route path="/desktop" element={<RoleRoute session={session} roles={['candidate']}><DesktopShell /></RoleRoute>} />
        <Route path="/console" element={<RoleRoute session={session} roles={['assessor']}><ConsoleShell /></RoleRoute>} />
        <Route path="/moderation" element={<RoleRoute session={session} roles={['moderator']}><ModerationShell /></RoleRoute>} />
        <Route path="/moderation/attempts/:id" element={<RoleRoute session={session} roles={['moderator', 'admin', 'assessor']}><ReplayPage /></RoleRoute>} />
        <Route path="/iqa" element={<RoleRoute session={session} roles={['iqa']}><IqaShell /></RoleRoute>} />
        <Route path="/admin/centres" element={<RoleRoute session={session} roles={['admin']}><CentresPage /></RoleRoute>} />
        <Route path="/admin/sittings" element={<RoleRoute session={session} roles={['admin']}><SittingRecordsPage /></RoleRoute>} />
        <Route path="/admin/*" element={<RoleRoute session={session} roles={['admin']}><UsersPage /></RoleRoute>} />
        <Route path="/scenarios" element={<RoleRoute session={session} roles={['assessor', 'admin', 'moderator']}><ScenariosPage /></RoleRoute>} />
        <Route path="/account/password" element={<RoleRoute session={session} roles={['admin', 'candidate', 'assessor', 'moderator', 'iqa']}><PasswordPage /></RoleRoute>} />
        <Route path="*" element={<NotFoundPage />} />
      </Routes>
    </SessionContext.Provider>
  );
}
