import { LOGO_SVG } from '../brand.ts';

const LOGO_URL = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(LOGO_SVG)}`;

export function Logo(props: { size: number; label?: string }) {
  return (
    <img
      className="logo"
      src={LOGO_URL}
      width={props.size}
      height={props.size}
      alt={props.label ?? ''}
      aria-hidden={props.label ? undefined : true}
    />
  );
}
