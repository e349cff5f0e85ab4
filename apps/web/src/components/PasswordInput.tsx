import { Input } from 'antd-mobile';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { EyeIcon, EyeOffIcon } from './icons.tsx';

/** A password field with a show/hide switch. Form.Item hands it `id`, `value` and `onChange`. */
export function PasswordInput(props: {
  id?: string;
  value?: string;
  onChange?: (value: string) => void;
  placeholder?: string;
  autoComplete: 'current-password' | 'new-password';
}) {
  const { t } = useTranslation();
  const [visible, setVisible] = useState(false);
  return (
    <div className="password-input">
      <Input
        id={props.id}
        type={visible ? 'text' : 'password'}
        value={props.value ?? ''}
        onChange={props.onChange}
        placeholder={props.placeholder}
        autoComplete={props.autoComplete}
        maxLength={64}
        clearable
      />
      <button
        type="button"
        className="icon-button"
        aria-label={visible ? t('fields.hidePassword') : t('fields.showPassword')}
        aria-pressed={visible}
        onClick={() => setVisible(!visible)}
      >
        {visible ? <EyeIcon /> : <EyeOffIcon />}
      </button>
    </div>
  );
}
