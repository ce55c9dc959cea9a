import type { ReactNode } from 'react';
import { NavLink, useNavigate } from 'react-router';
import { ROLE_HOME, ROLE_LABEL } from '../../../server/protocol/roles.js';
import { logout } from '../api.js';
import { useSession } from '../session.js';
import { useDisplaySettings } from './display-settings.js';
import { handled } from './handled.js';

export function Layout({ children }: { children: ReactNode }) {
  const { session, setSession } = useSession();
  const navigate = useNavigate();
  const [display, toggleDisplay] = useDisplaySettings();
  if (!session) return null;
  const { user } = session;
  const onLogout = async () => {
    try {
      await logout();
    } finally {
      setSession(undefined);
      // react-router renders a failed navigation itself; there is nothing to wait for here.
      void navigate('/login', { replace: true });
    }
  };
  return (
    <div className="app">
      {user.centreIsDemo && (
        <div className="demo-banner" role="note">
          DEMO CENTRE: practice data only. Nothing here counts towards a real assessment.
        </div>
      )}
      <header className="topbar">
        <strong className="brand">Callmark</strong>
        <span className="who" data-testid="who" title={`${user.displayName} · ${ROLE_LABEL[user.role]}${user.centreName ? ` · ${user.centreName}` : ''}`}>
          {user.displayName} · {ROLE_LABEL[user.role]}
          {user.centreName ? ` · ${user.centreName}` : ''}
        </span>
        {user.role !== 'candidate' && !user.mustChangePassword && (
          // Staff pages beside their home page: the scenarios (list, clone, customise); for the
          // admin, the centres' settings and the records kept against sittings.
          <nav aria-label="Pages" style={{ display: 'flex', gap: '0.8rem' }}>
            <NavLink to={ROLE_HOME[user.role]} end>
              {user.role === 'admin' ? 'Users' : 'Home'}
            </NavLink>
            {user.role === 'admin' && <NavLink to="/admin/centres">Centre settings</NavLink>}
            {user.role === 'admin' && <NavLink to="/admin/sittings">Sitting records</NavLink>}
            {user.role !== 'iqa' && <NavLink to="/scenarios">Scenarios</NavLink>}
          </nav>
        )}
        <div className="display-settings" role="group" aria-label="Display settings">
          <button type="button" aria-pressed={display.largeText} onClick={() => toggleDisplay('largeText')}>
            Larger text
          </button>
          <button type="button" aria-pressed={display.highContrast} onClick={() => toggleDisplay('highContrast')}>
            High contrast
          </button>
        </div>
        {!user.mustChangePassword && (
          <NavLink to="/account/password" className="small nowrap">
            Change password
          </NavLink>
        )}
        <button type="button" onClick={handled(onLogout)}>
          Log out
        </button>
      </header>
      <main>{children}</main>
    </div>
  );
}
