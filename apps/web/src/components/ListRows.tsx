/**
 * Rows of an antd-mobile List that are real links and buttons: antd's clickable List.Item is an
 * `<a>` without href, which a keyboard cannot reach and a screen reader does not announce.
 */
import { List } from 'antd-mobile';
import type { ReactNode } from 'react';
import { Link } from 'react-router';

interface RowContent {
  prefix?: ReactNode;
  extra?: ReactNode;
  description?: ReactNode;
  children: ReactNode;
}

export function LinkRow(props: RowContent & { to: string }) {
  return (
    <Link to={props.to} className="list-row">
      <List.Item prefix={props.prefix} extra={props.extra} description={props.description} arrow>
        {props.children}
      </List.Item>
    </Link>
  );
}

export function ButtonRow(
  props: RowContent & { onClick: () => void; arrow?: boolean; className?: string; expanded?: boolean },
) {
  return (
    <button
      type="button"
      className={`list-row ${props.className ?? ''}`}
      onClick={props.onClick}
      aria-expanded={props.expanded}
    >
      <List.Item
        prefix={props.prefix}
        extra={props.extra}
        description={props.description}
        arrow={props.arrow ?? true}
      >
        {props.children}
      </List.Item>
    </button>
  );
}
