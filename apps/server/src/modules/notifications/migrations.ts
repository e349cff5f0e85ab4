import type { Migration } from '@qianbao/db';

/** The in-app inbox. `user_id` names a holder of the identity module; no foreign key across modules. */
export const notificationsMigrations: Migration[] = [
  {
    name: '0500_notifications_init',
    sql: `
CREATE TABLE notifications_inbox (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_.]{0,63}$'),
  params jsonb NOT NULL DEFAULT '{}',
  title_zh text NOT NULL CHECK (length(title_zh) <= 200),
  body_zh text NOT NULL CHECK (length(body_zh) <= 2000),
  title_en text NOT NULL CHECK (length(title_en) <= 200),
  body_en text NOT NULL CHECK (length(body_en) <= 2000),
  created_at timestamptz NOT NULL,
  read_at timestamptz
);
CREATE INDEX notifications_inbox_user ON notifications_inbox (user_id, created_at DESC, id DESC);
CREATE INDEX notifications_inbox_unread ON notifications_inbox (user_id) WHERE read_at IS NULL;
`,
  },
];
