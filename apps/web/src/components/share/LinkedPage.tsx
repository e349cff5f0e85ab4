import { useQuery } from '@tanstack/react-query';
import type { QueryKey } from '@tanstack/react-query';
import { Button } from 'antd-mobile';
import type { ReactNode } from 'react';
import { useEffect } from 'react';
import { Link, Navigate, useNavigate } from 'react-router';
import { ApiError, isApiError } from '../../api/client.ts';
import { hasSignedIn, markSignedOut } from '../../auth/session.ts';
import { LoadFailed, Loading } from '../States.tsx';
import { Page } from '../Page.tsx';

/**
 * A page opened by a shared link (a red packet, a split bill): someone not signed in is asked to
 * (`signIn`), and comes back here; loading; not found, said by `refusal`, with the link to my
 * list (`backTo`, `backLabel`); a failed load to retry; mine: off to my own page (`mineTo`).
 * Else `children` with what was loaded.
 */
export function LinkedPage<T extends { mine: boolean }>(props: {
  title: string;
  backTo: string;
  backLabel: string;
  queryKey: QueryKey;
  fetch: () => Promise<T>;
  signIn: ReactNode;
  refusal: (error: unknown) => ReactNode;
  mineTo: (data: T) => string;
  children: (data: T) => ReactNode;
}) {
  const signedIn = hasSignedIn();
  const query = useQuery({ queryKey: props.queryKey, queryFn: props.fetch, enabled: signedIn, retry: false });
  const unauthorized = isApiError(query.error) && query.error.status === 401;
  // The session ended (idle, signed out elsewhere): as nobody signed in, with the way back here.
  useEffect(() => {
    if (unauthorized) markSignedOut();
  }, [unauthorized]);
  if (!signedIn || unauthorized) return props.signIn;
  if (query.isPending) {
    return (
      <Page title={props.title} backTo={props.backTo}>
        <Loading />
      </Page>
    );
  }
  if (query.isError) {
    return (
      <Page title={props.title} backTo={props.backTo}>
        {query.error instanceof ApiError && query.error.status === 404 ? (
          <div className="money-buttons">
            {props.refusal(query.error)}
            <Link to={props.backTo} className="text-button money-link-button">
              {props.backLabel}
            </Link>
          </div>
        ) : (
          <LoadFailed error={query.error} onRetry={() => void query.refetch()} />
        )}
      </Page>
    );
  }
  if (query.data.mine) return <Navigate to={props.mineTo(query.data)} replace />;
  return props.children(query.data);
}

/** Not signed in: `children` say why; sign in (or register), then back to `path`. */
export function SignInFirst(props: {
  title: string;
  path: string;
  signInLabel: string;
  registerLabel: string;
  children: ReactNode;
}) {
  const navigate = useNavigate();
  const next = `?next=${encodeURIComponent(props.path)}`;
  return (
    <Page title={props.title}>
      {props.children}
      <div className="money-buttons">
        <Button
          block
          color="primary"
          size="large"
          shape="rounded"
          onClick={() => void navigate(`/sign-in${next}`)}
        >
          {props.signInLabel}
        </Button>
        <Link to={`/register${next}`} className="text-button money-link-button">
          {props.registerLabel}
        </Link>
      </div>
    </Page>
  );
}
