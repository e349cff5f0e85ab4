import { NumberKeyboard, PasscodeInput } from 'antd-mobile';
import type { PasscodeInputRef } from 'antd-mobile';
import type { KeyboardEvent } from 'react';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';

const PIN_LENGTH = 6;

/**
 * Six dots and the app's own number pad (antd-mobile PasscodeInput + NumberKeyboard): the
 * digits never reach a text field the browser could remember or autofill. A hardware keyboard
 * types too (digits, Backspace), for desktops and screen-reader users.
 */
export function PinInput(props: {
  value: string;
  onChange: (value: string) => void;
  onFill: (value: string) => void;
  /** What the PIN is for, read out with how many digits are in. */
  label: string;
  error?: boolean;
  autoFocus?: boolean;
}) {
  const { t } = useTranslation();
  const ref = useRef<PasscodeInputRef>(null);
  const { autoFocus } = props;
  useEffect(() => {
    if (!autoFocus) return;
    // After the step's transition, so the pad slides up under a settled screen.
    const timer = setTimeout(() => ref.current?.focus(), 50);
    return () => clearTimeout(timer);
  }, [autoFocus]);

  const onKeyDown = (event: KeyboardEvent) => {
    if (/^\d$/.test(event.key) && props.value.length < PIN_LENGTH) {
      event.preventDefault();
      props.onChange(props.value + event.key);
    } else if (event.key === 'Backspace') {
      event.preventDefault();
      props.onChange(props.value.slice(0, -1));
    }
  };

  return (
    <div className="pin-input" onKeyDown={onKeyDown}>
      <PasscodeInput
        ref={ref}
        length={PIN_LENGTH}
        value={props.value}
        onChange={props.onChange}
        onFill={props.onFill}
        error={props.error ?? false}
        seperated
        aria-label={t('pin.inputLabel', { label: props.label, count: props.value.length })}
        keyboard={<NumberKeyboard showCloseButton={false} className="pin-keyboard" />}
      />
    </div>
  );
}
