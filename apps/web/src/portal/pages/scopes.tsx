/**
 * The API scopes as the 开发者 page shows them: chosen with their meaning (a key's, a partner
 * grant's), and listed as tags.
 */
import { Checkbox, Space, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { API_SCOPES } from '../api.ts';
import type { ApiScope } from '../api.ts';

/** The scopes to tick, each with what it allows; a Form.Item's `value`/`onChange` pass through. */
export function ScopeChoices(props: { value?: ApiScope[]; onChange?: (value: ApiScope[]) => void }) {
  const { t } = useTranslation();
  return (
    <Checkbox.Group value={props.value} onChange={(value) => props.onChange?.(value)}>
      <Space orientation="vertical">
        {API_SCOPES.map((scope) => (
          <Checkbox key={scope} value={scope}>
            {/* i18next reads ':' in a key as a namespace separator: payments:write → payments_write */}
            <span className="portal-mono">{scope}</span> —{' '}
            {t(`portal.developers.scope.${scope.replace(':', '_')}`)}
          </Checkbox>
        ))}
      </Space>
    </Checkbox.Group>
  );
}

export function ScopeTags(props: { scopes: ApiScope[] }) {
  return (
    <Space size={4} wrap>
      {props.scopes.map((scope) => (
        <Tag key={scope} className="portal-mono">
          {scope}
        </Tag>
      ))}
    </Space>
  );
}
