/**
 * Who is signed in. The session itself is the HttpOnly cookie `qb_session`, which the app can
 * neither read nor should: it only remembers *that* someone signed in on this browser, so a
 * first visit goes straight to the welcome screen instead of asking the server first.
 */
import { QueryClient, useQuery } from '@tanstack/react-query';
import { Toast } from 'antd-mobile';
import { isApiError } from '../api/client.ts';
import { fetchMe } from '../api/identity.ts';
import { forgetPaymentCodes } from '../api/pay-code.ts';

const SIGNED_IN_KEY = 'qb_signed_in';

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 30_000,
      // A 4xx will not change on a retry; a dropped connection might.
      retry: (failureCount, error) =>
        failureCount < 2 && !(isApiError(error) && error.status >= 400 && error.status < 500),
    },
    mutations: { retry: false },
  },
});

export function hasSignedIn(): boolean {
  return localStorage.getItem(SIGNED_IN_KEY) === '1';
}

/** After a successful sign-up or sign-in: forget anything cached for a previous holder. */
export function markSignedIn(): void {
  Toast.clear(); // "code sent" belongs to the screen being left
  queryClient.clear();
  localStorage.setItem(SIGNED_IN_KEY, '1');
}

/** After sign-out, or when the server no longer knows the session. */
export function markSignedOut(): void {
  localStorage.removeItem(SIGNED_IN_KEY);
  forgetPaymentCodes();
  queryClient.clear();
}

export const meQueryKey = ['me'] as const;

/** The signed-in holder; never asked for when nobody has signed in on this browser. */
export function useMe() {
  return useQuery({ queryKey: meQueryKey, queryFn: fetchMe, enabled: hasSignedIn() });
}
