import { Navigate, Outlet } from 'react-router';
import { isApiError } from '../api/client.ts';
import { LoadFailed, Loading } from '../components/States.tsx';
import { LiveNotifications } from '../components/money/LiveNotifications.tsx';
import { hasSignedIn, useMe } from './session.ts';

/**
 * Screens for a signed-in holder. Nobody has signed in on this browser: the welcome screen. The
 * server no longer knows the session: the API client's 401 listener (App.tsx) sends the holder
 * to sign in again.
 */
export function RequireAuth() {
  const me = useMe();
  if (!hasSignedIn()) return <Navigate to="/welcome" replace />;
  if (me.data) {
    return (
      <>
        <LiveNotifications />
        <Outlet />
      </>
    );
  }
  if (me.isError && !(isApiError(me.error) && me.error.status === 401)) {
    return <LoadFailed error={me.error} onRetry={() => void me.refetch()} />;
  }
  return <Loading />;
}
