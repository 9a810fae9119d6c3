// Every string of the console, Chinese first; t(key, ...args) fills {0}, {1}….
const dict = {
  zh: {
    'app.title': '下沉干部在岗核验', loading: '加载中…',
    'login.username': '用户名', 'login.password': '密码', 'login.device': '设备标识', 'login.submit': '登录',
    'login.deviceHint': '本浏览器的设备标识；下沉干部须使用已绑定的设备标识。登录凭证只保存在内存中，刷新页面即退出。',
    'login.mustChange': '首次登录须修改密码：', 'login.change': '修改密码', 'login.changed': '密码已修改，请用新密码登录。',
    'nav.map': '地图', 'nav.report': '季度报表', 'nav.review': '审核队列', 'nav.inspect': '纪检监察', 'nav.logout': '退出',
    'role.CADRE': '下沉干部', 'role.SUPERVISOR': '主管', 'role.DISCIPLINE': '纪检监察', 'role.ADMIN': '系统管理员',
    'role.SECURITY_ADMIN': '安全管理员', 'role.AUDIT_ADMIN': '审计管理员',
    'err.forbidden': '当前账号无权查看此内容。', 'err.generic': '出错（{0}）：{1}', 'err.nopage': '没有这个页面。',
    'status.MET': '已达标', 'status.ON_TRACK': '进行中', 'status.AT_RISK': '有风险', 'status.MISSED': '未达标', 'status.EXEMPT': '免除',
    'status.NONE': '无干部', 'status.PENDING': '待审核', 'status.ACCEPTED': '已计入', 'status.CONFIRMED': '已确认',
    'status.REJECTED': '已驳回', 'status.RECORDED': '已记录', 'status.SUBMITTED': '待审阅', 'status.APPROVED': '已批准',
    'status.REFUSED': '已拒绝', 'status.RETURNED': '已退回',
    'verdict.INSIDE': '区域内', 'verdict.BOUNDARY': '边界', 'verdict.OUTSIDE': '区域外',
    'flag.MOCK_LOCATION': '模拟定位', 'flag.LOW_ACCURACY': '精度低', 'flag.ZERO_ACCURACY': '精度为零', 'flag.IMPOSSIBLE_TRAVEL': '移动过快',
    'flag.CLOCK_SKEW': '时钟偏差', 'flag.LATE_SYNC': '延迟同步', 'flag.STALE_SYNC': '超期同步', 'flag.FUTURE_TIME': '未来时间',
    'flag.DEVICE_MISMATCH': '设备不符', 'flag.REPEATED_FIX': '重复坐标', 'flag.NOT_ASSIGNED': '非派驻区域',
    'flag.PHOTO_LOCATION_MISMATCH': '照片位置不符', 'flag.PHOTO_TIME_MISMATCH': '照片时间不符', 'flag.blocking': '阻断',
    'col.time': '时间', 'col.verdict': '位置', 'col.status': '状态', 'col.accuracy': '精度', 'col.flags': '标记', 'col.cadre': '干部',
    'col.date': '日期', 'col.stratum': '分层', 'col.findings': '发现', 'col.score': '风险分', 'col.anomalies': '异常',
    'col.discrepancies': '不符记录', 'col.reader': '查阅人', 'col.what': '内容', 'col.query': '查询', 'col.rule': '规则',
    'map.title': '{0} 年第 {1} 季度 · R2 到县工作情况', 'map.pick': '{0} 个县有干部（共 {1} 名）。点击县查看干部。',
    'map.nobody': '该县本季度没有派驻干部。', 'map.nocheckins': '没有打卡记录。', 'map.day': '日期',
    'review.title': '审核队列', 'review.checkins': '待审核打卡', 'review.activities': '待审核活动', 'review.makeups': '补卡申请',
    'review.summaries': '待审阅小结', 'review.empty': '队列为空。', 'review.keys': '快捷键：j/k 上下移动，c 确认，r 驳回，e 填写理由，Esc 离开理由框，Ctrl+Enter 确认。',
    'review.reason': '理由', 'review.needReason': '请先填写理由。', 'review.confirm': '确认 (c)', 'review.reject': '驳回 (r)',
    'review.approve': '批准 (c)', 'review.refuse': '拒绝 (r)', 'review.accept': '通过 (c)', 'review.return': '退回 (r)',
    'review.day': '{0} 在{1}计入打卡 {2} 次', 'review.dayChange': '已处理。{0} 在{1}计入打卡：{2} → {3} 次',
    'review.done': '已处理。', 'review.edge': '距边界 {0} 米', 'review.witness': '签字人：{0}（{1}）', 'review.onDay': '拍摄于当天',
    'review.notOnDay': '拍摄时间不在当天', 'review.late': '逾期提交', 'review.version': '第 {0} 版',
    'kind.INTERVIEW_YOUTH': '青年谈心', 'kind.INTERVIEW_CADRE': '基层团干部谈心', 'kind.FORUM_YOUTH': '青年座谈会',
    'kind.FORUM_CADRE': '团干部座谈会', 'kind.LECTURE': '理论宣讲', 'kind.OTHER': '其他',
    'inspect.title': '纪检监察', 'inspect.draw': '随机抽查', 'inspect.from': '起', 'inspect.to': '止', 'inspect.per': '每层抽取',
    'inspect.strata': '分层', 'inspect.doDraw': '抽取', 'inspect.drawn': '已抽取：从 {0} 个干部日中抽取，种子 {1}',
    'inspect.checks': '抽查记录', 'inspect.samples': '样本', 'inspect.finding': '记录发现', 'inspect.notes': '说明',
    'inspect.recorded': '已记录发现。', 'inspect.findings': '发现', 'inspect.risk': '异常与风险排序', 'inspect.checkpoint': '最新检查点',
    'inspect.witness': '见证：由纪检组用本机 witness 工具核验签名与一致性，服务器不提供见证状态。', 'inspect.size': '叶子数',
    'inspect.root': '根哈希', 'inspect.access': '干部数据查阅记录', 'inspect.pickCadre': '选择干部', 'inspect.none': '无记录。',
    'strat.CITY': '城市', 'strat.FLAG_CLASS': '标记类别', 'strat.MAKE_UP': '补卡',
    'outcome.CONFIRMED': '属实', 'outcome.DISCREPANCY': '不符', 'outcome.UNVERIFIABLE': '无法核实',
    'what.PRESENCE': '在岗记录', 'what.ACTIVITIES': '工作活动', 'what.CONTACT': '联系方式',
    'report.title': '{0} 年第 {1} 季度合规报表', 'report.cadres': '干部 {0} 名', 'report.onlyFailing': '只看未达标（未达标或有风险）',
    'report.rule': '规则', 'report.all': '全部', 'report.more': '加载更多', 'report.download': '下载 Excel', 'report.downloaded': '已下载。',
    'report.close': '季度结账', 'report.closeAsk': '结账后，{0} {1} 的报表按当前结果固定，此后的变动将被标出。确定结账？',
    'report.closed': '已于 {0} 由 {1} 结账', 'report.open': '未结账', 'report.totals': '合计', 'report.cadresTable': '干部明细',
    'report.withVerdict': '适用干部', 'report.ofCadres': '{0}/{1}', 'report.policy': '政策版本：{0}',
    'report.met': '达标', 'report.onTrack': '进行中', 'report.atRisk': '有风险', 'report.missed': '未达标', 'report.exempt': '免除',
    'report.rows': '已显示 {0} 名，共 {1} 名', 'report.changed': '结账后有变动', 'report.changedShort': '有变动',
    'report.changedCell': '结账后变动：{0} {1} → {2}（结账时：{3}）',
  },
  en: {
    'app.title': 'Onsite verification', loading: 'Loading…',
    'login.username': 'Username', 'login.password': 'Password', 'login.device': 'Device id', 'login.submit': 'Sign in',
    'login.deviceHint': "This browser's device id; a cadre must use the bound one. The session is kept in memory only: reloading signs out.",
    'login.mustChange': 'The password must be changed first:', 'login.change': 'Change password', 'login.changed': 'Changed; sign in with the new password.',
    'nav.map': 'Map', 'nav.report': 'Quarter report', 'nav.review': 'Review queue', 'nav.inspect': 'Inspectors', 'nav.logout': 'Sign out',
    'role.CADRE': 'cadre', 'role.SUPERVISOR': 'supervisor', 'role.DISCIPLINE': 'discipline', 'role.ADMIN': 'administrator',
    'role.SECURITY_ADMIN': 'security administrator', 'role.AUDIT_ADMIN': 'audit administrator',
    'err.forbidden': 'This account may not see this.', 'err.generic': 'Error ({0}): {1}', 'err.nopage': 'No such page.',
    'status.MET': 'Met', 'status.ON_TRACK': 'On track', 'status.AT_RISK': 'At risk', 'status.MISSED': 'Missed', 'status.EXEMPT': 'Exempt',
    'status.NONE': 'No cadres', 'status.PENDING': 'Pending', 'status.ACCEPTED': 'Accepted', 'status.CONFIRMED': 'Confirmed',
    'status.REJECTED': 'Rejected', 'status.RECORDED': 'Recorded', 'status.SUBMITTED': 'Submitted', 'status.APPROVED': 'Approved',
    'status.REFUSED': 'Refused', 'status.RETURNED': 'Returned',
    'verdict.INSIDE': 'inside', 'verdict.BOUNDARY': 'boundary', 'verdict.OUTSIDE': 'outside',
    'flag.MOCK_LOCATION': 'mock location', 'flag.LOW_ACCURACY': 'low accuracy', 'flag.ZERO_ACCURACY': 'zero accuracy',
    'flag.IMPOSSIBLE_TRAVEL': 'impossible travel', 'flag.CLOCK_SKEW': 'clock skew', 'flag.LATE_SYNC': 'late sync',
    'flag.STALE_SYNC': 'stale sync', 'flag.FUTURE_TIME': 'future time', 'flag.DEVICE_MISMATCH': 'device mismatch',
    'flag.REPEATED_FIX': 'repeated fix', 'flag.NOT_ASSIGNED': 'not assigned', 'flag.PHOTO_LOCATION_MISMATCH': 'photo place',
    'flag.PHOTO_TIME_MISMATCH': 'photo time', 'flag.blocking': 'blocking',
    'col.time': 'Time', 'col.verdict': 'Place', 'col.status': 'Status', 'col.accuracy': 'Accuracy', 'col.flags': 'Flags', 'col.cadre': 'Cadre',
    'col.date': 'Date', 'col.stratum': 'Stratum', 'col.findings': 'Findings', 'col.score': 'Risk', 'col.anomalies': 'Anomalies',
    'col.discrepancies': 'Discrepancies', 'col.reader': 'Reader', 'col.what': 'What', 'col.query': 'Query', 'col.rule': 'Rule',
    'map.title': '{0} Q{1} · R2 days in the county', 'map.pick': '{0} counties have cadres ({1} in all). Click a county for its cadres.',
    'map.nobody': 'No cadre is dispatched to this county this quarter.', 'map.nocheckins': 'No check-ins.', 'map.day': 'Day',
    'review.title': 'Review queue', 'review.checkins': 'Pending check-ins', 'review.activities': 'Pending activities',
    'review.makeups': 'Make-up requests', 'review.summaries': 'Submitted summaries', 'review.empty': 'The queue is empty.',
    'review.keys': 'Keys: j/k move, c confirm, r reject, e reason, Esc leaves the reason box, Ctrl+Enter confirms.',
    'review.reason': 'Reason', 'review.needReason': 'Write a reason first.', 'review.confirm': 'Confirm (c)', 'review.reject': 'Reject (r)',
    'review.approve': 'Approve (c)', 'review.refuse': 'Refuse (r)', 'review.accept': 'Accept (c)', 'review.return': 'Return (r)',
    'review.day': '{0} at {1}: {2} counting check-ins', 'review.dayChange': 'Done. {0} at {1}: counting check-ins {2} → {3}',
    'review.done': 'Done.', 'review.edge': '{0} m from the edge', 'review.witness': 'Countersigned by {0} ({1})',
    'review.onDay': 'taken that day', 'review.notOnDay': 'not taken that day', 'review.late': 'late', 'review.version': 'version {0}',
    'kind.INTERVIEW_YOUTH': 'Youth interview', 'kind.INTERVIEW_CADRE': 'Cadre interview', 'kind.FORUM_YOUTH': 'Youth forum',
    'kind.FORUM_CADRE': 'Cadre forum', 'kind.LECTURE': 'Lecture', 'kind.OTHER': 'Other',
    'inspect.title': 'Inspectors', 'inspect.draw': 'Spot check', 'inspect.from': 'From', 'inspect.to': 'To', 'inspect.per': 'Per stratum',
    'inspect.strata': 'Strata', 'inspect.doDraw': 'Draw', 'inspect.drawn': 'Drawn from {0} cadre-days, seed {1}',
    'inspect.checks': 'Spot checks', 'inspect.samples': 'Samples', 'inspect.finding': 'Record finding', 'inspect.notes': 'Notes',
    'inspect.recorded': 'Finding recorded.', 'inspect.findings': 'Findings', 'inspect.risk': 'Anomalies and risk ranking',
    'inspect.checkpoint': 'Latest checkpoint',
    'inspect.witness': "Witnessing: the inspectors' own witness tool verifies signatures and consistency; the server does not report it.",
    'inspect.size': 'Leaves', 'inspect.root': 'Root hash', 'inspect.access': "Reads of a cadre's data", 'inspect.pickCadre': 'Cadre',
    'inspect.none': 'Nothing.', 'strat.CITY': 'city', 'strat.FLAG_CLASS': 'flag class', 'strat.MAKE_UP': 'make-up',
    'outcome.CONFIRMED': 'Confirmed', 'outcome.DISCREPANCY': 'Discrepancy', 'outcome.UNVERIFIABLE': 'Unverifiable',
    'what.PRESENCE': 'presence', 'what.ACTIVITIES': 'activities', 'what.CONTACT': 'contact',
    'report.title': 'Compliance, {0} Q{1}', 'report.cadres': '{0} cadres', 'report.onlyFailing': 'Only failing (missed or at risk)',
    'report.rule': 'Rule', 'report.all': 'All', 'report.more': 'More', 'report.download': 'Download Excel', 'report.downloaded': 'Downloaded.',
    'report.close': 'Close the quarter', 'report.closeAsk': "Closing fixes {0}'s {1} report as it stands; later changes will be marked. Close the quarter?",
    'report.closed': 'Closed {0} by {1}', 'report.open': 'Open', 'report.totals': 'Totals', 'report.cadresTable': 'Cadres',
    'report.withVerdict': 'Cadres judged', 'report.ofCadres': '{0} of {1}', 'report.policy': 'Policy versions: {0}',
    'report.met': 'Met', 'report.onTrack': 'On track', 'report.atRisk': 'At risk', 'report.missed': 'Missed', 'report.exempt': 'Exempt',
    'report.rows': '{0} of {1} cadres shown', 'report.changed': 'changed since closing', 'report.changedShort': 'changed',
    'report.changedCell': 'Changed since closing: {0} {1} → {2} (when closed: {3})',
  },
};

let current = localStorage.getItem('onsite.lang') === 'en' ? 'en' : 'zh';
const listeners = [];

/** The language shown: zh or en. */
export function lang() {
  return current;
}

export function setLang(l) {
  current = l;
  localStorage.setItem('onsite.lang', l);
  document.documentElement.lang = l === 'zh' ? 'zh-CN' : 'en';
  for (const fn of listeners) fn(l);
}

export function onLang(fn) {
  listeners.push(fn);
}

/** The string of key in the current language, {n} filled with args[n]; the key itself when missing. */
export function t(key, ...args) {
  const s = dict[current][key] ?? dict.zh[key] ?? key;
  return s.replace(/\{(\d+)\}/g, (_, i) => String(args[Number(i)]));
}

/** A verdict's sentence (message or messageEn) in the current language. */
export function msg(r) {
  return current === 'zh' ? r.message : r.messageEn || r.message;
}

document.documentElement.lang = current === 'zh' ? 'zh-CN' : 'en';
