import './segmented.css';

/**
 * Two or three choices side by side, as radio buttons, with the chosen one's hint below (red
 * packets' and split bills' forms). The legend is shown above, or only for screen readers.
 */
export function Segmented<V extends string>(props: {
  label: string;
  name: string;
  value: V;
  options: { value: V; label: string; hint?: string }[];
  onChange: (value: V) => void;
  hideLegend?: boolean;
  className?: string;
}) {
  const selected = props.options.find((option) => option.value === props.value);
  return (
    <fieldset className={props.className ? `segmented ${props.className}` : 'segmented'}>
      <legend className={props.hideLegend ? 'visually-hidden' : 'money-field-label segmented-legend'}>
        {props.label}
      </legend>
      <div className="segmented-options">
        {props.options.map((option) => (
          <label key={option.value} className={option.value === props.value ? 'segment selected' : 'segment'}>
            <input
              type="radio"
              name={props.name}
              value={option.value}
              checked={option.value === props.value}
              onChange={() => props.onChange(option.value)}
            />
            <span>{option.label}</span>
          </label>
        ))}
      </div>
      {selected?.hint ? <p className="field-hint segmented-hint">{selected.hint}</p> : null}
    </fieldset>
  );
}
