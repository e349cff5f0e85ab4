import { Button } from 'antd-mobile';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';

/** The end of a money flow: back home, or on to the bill that now lists it. */
export function DoneButtons() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  return (
    <div className="money-buttons">
      <Button
        block
        color="primary"
        size="large"
        shape="rounded"
        onClick={() => void navigate('/', { replace: true })}
      >
        {t('money.done')}
      </Button>
      <Link to="/history" className="text-button money-link-button">
        {t('money.viewHistory')}
      </Link>
    </div>
  );
}
