/**
 * The list of chosen files, each with a remove button, and the "add" button over a hidden file
 * input: the same markup for support attachments (`cs-`) and dispute evidence (`dp-`). What a
 * pick does (upload now, or keep the files for later) stays with the screen.
 */
import type { RefObject } from 'react';

export interface PickedFile {
  key: string;
  name: string;
}

export function FilePicker(props: {
  /** Class prefix: `cs` gives `cs-files`, `cs-file`, `cs-attach-button`… */
  prefix: string;
  /** Test id prefix: `support` gives `support-files` and `support-file-input`. */
  testId: string;
  files: PickedFile[];
  onRemove: (index: number) => void;
  removeLabel: (name: string) => string;
  canAdd: boolean;
  addLabel: string;
  accept: string;
  inputRef: RefObject<HTMLInputElement>;
  onPick: (list: FileList | null) => void;
  busy?: boolean;
}) {
  const { prefix } = props;
  return (
    <>
      <ul className={`${prefix}-files`} data-testid={`${props.testId}-files`}>
        {props.files.map((file, index) => (
          <li key={file.key} className={`${prefix}-file`}>
            <span className={`${prefix}-file-name`}>{file.name}</span>
            <button
              type="button"
              className={`${prefix}-file-remove`}
              aria-label={props.removeLabel(file.name)}
              onClick={() => props.onRemove(index)}
            >
              ×
            </button>
          </li>
        ))}
      </ul>
      {props.canAdd ? (
        <label className={`${prefix}-attach-button${props.busy ? ' busy' : ''}`}>
          {props.addLabel}
          <input
            ref={props.inputRef}
            type="file"
            accept={props.accept}
            multiple
            className={`${prefix}-file-input`}
            data-testid={`${props.testId}-file-input`}
            disabled={props.busy}
            onChange={(event) => props.onPick(event.target.files)}
          />
        </label>
      ) : null}
    </>
  );
}
