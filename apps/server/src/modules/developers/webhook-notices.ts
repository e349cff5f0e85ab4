/** The owner's inbox notice when an endpoint is disabled for failing (webhooks.ts `keepStreak`). */
import type { NotificationInput } from '../notifications/service.ts';

export function webhookDisabledNotice(endpoint: { endpointId: string; url: string }): NotificationInput {
  return {
    kind: 'developers.webhook_disabled',
    params: { endpointId: endpoint.endpointId, url: endpoint.url },
    title: { 'zh-CN': 'Webhook 地址已停用', en: 'Webhook endpoint disabled' },
    body: {
      'zh-CN': `${endpoint.url} 连续多日无法接收通知，已停用。请检查后在商户后台「开发者」中重新启用，期间的通知可在那里重新发送。`,
      en: `${endpoint.url} has failed to receive events for days and was disabled. Fix it and enable it again under Developers in the merchant portal, where the missed events can be re-sent.`,
    },
  };
}
