"""The console's words: Chinese (the users' language, the default) and English.

The language is the `lang` cookie set by the switch, else the browser's Accept-Language.
Check reasons are written in English by card/checks.py; REASONS translates each of its
sentences (a test drives every branch of the checks and keeps the two in step). Times are
shown in China time (UTC+8 all year: China has no daylight saving, so a fixed offset is exact
and needs no tz database) with the zone stated.

ERRORS explains each error code of README.md's "Error codes" table (a test keeps the two
in step): what it means and what to do about it.
"""

import re
from datetime import datetime
from typing import Dict, List, Optional, Tuple

from ...card.checks import CHINA_TIME

LANGUAGES = ("zh", "en")
DEFAULT = "zh"

LABELS: Dict[str, Tuple[str, str]] = {  # name: (zh, en)
    "title": ("身份证识别结果审核", "ID card results review"),
    "bucket": ("存储桶", "Bucket"),
    "prefix": ("前缀", "Prefix"),
    "operator": ("审核人", "Operator"),
    "counts": ("统计", "Counts"),
    "counting": ("统计中…", "counting…"),
    "counted": ("已统计", "counted"),
    "recount": ("重新统计", "Recount"),
    "count_failed": ("统计中断", "counting stopped"),
    "rows": ("张照片", "photos"),
    "all": ("全部", "all"),
    "filters": ("筛选", "Filters"),
    "apply": ("筛选", "Apply"),
    "clear": ("清除", "Clear"),
    "status": ("状态", "Status"),
    "side": ("面", "Side"),
    "recognized_by": ("识别方", "Read by"),
    "reader_engine": ("离线引擎", "engine (free)"),
    "reader_api": ("API（计费）", "API (paid)"),
    "side_missing": ("缺少一面", "A side missing"),
    "missing_face": ("缺人像面", "face missing"),
    "missing_back": ("缺国徽面", "back missing"),
    "side_missing_hint": ("这张纸上还有一面没有识别出来（识别接口当时失败）。已识别的一面保留；"
                          "请重新识别这张照片以补上另一面。",
                          "The sheet holds another side that was not read (the OCR API failed "
                          "then). The side read stands; reprocess the photo to read the other."),
    "declined_because": ("未采用引擎结果的原因", "Why the engine's reading was not taken"),
    "engine_confidence": ("引擎置信度", "Engine's confidence"),
    "confidence_hint": ("每个字段中最弱的一个字的得分（0–1）；低于阈值时交给 API 识别。",
                        "The weakest character score of each field (0–1); below its threshold "
                        "the API reads the photo."),
    "error_code": ("错误码", "Error code"),
    "failed_check": ("未通过的校验", "Failed check"),
    "warning": ("质量警告", "Quality warning"),
    "needs_review": ("待审核", "Needs review"),
    "reviewed": ("已审核", "Reviewed"),
    "not_reviewed": ("未审核", "Not reviewed"),
    "any": ("不限", "any"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "photo": ("照片", "Photo"),
    "key": ("对象", "Object"),
    "checks_passed": ("校验", "Checks"),
    "warnings": ("质量", "Quality"),
    "processed_at": ("处理时间", "Processed at"),
    "review": ("审核", "Review"),
    "more": ("加载更多", "Load more"),
    "searching": ("继续查找…", "searching on…"),
    "scanned": ("已查看", "scanned"),
    "end": ("已到末尾", "end of the list"),
    "none_found": ("没有符合条件的照片", "no photo matches"),
    "export": ("导出 CSV", "Export CSV"),
    "export_personal": ("导出含个人信息的 CSV（记录在日志）",
                        "Export CSV with personal data (logged)"),
    "reprocess": ("重新识别", "Reprocess"),
    "reprocess_filtered": ("重新识别筛选结果", "Reprocess the filtered set"),
    "reprocess_confirm": ("重新识别筛选出的全部照片？每张照片会再调用一次识别接口。",
                          "Reprocess every photo of this filter? Each one calls the OCR "
                          "API again."),
    "job": ("重新识别任务", "Reprocessing"),
    "job_running": ("进行中", "running"),
    "job_finished": ("已完成", "finished"),
    "job_busy": ("已有任务在运行", "a job is already running"),
    "listed": ("已列出", "listed"),
    "submitted": ("已提交", "submitted"),
    "done": ("完成", "done"),
    "failed": ("失败", "failed"),
    "back": ("返回列表", "Back to the list"),
    "fields": ("识别字段", "Fields"),
    "field": ("字段", "Field"),
    "value": ("识别值", "Value read"),
    "correction": ("更正为", "Correct to"),
    "reveal": ("显示", "Reveal"),
    "masked_hint": ("个人信息默认遮盖；显示会被记录（审核人、时间、对象、字段）。",
                    "Personal fields are masked; revealing one is logged (who, when, which "
                    "object, which field)."),
    "checks": ("校验", "Checks"),
    "checks_recomputed": ("按更正后的字段重新校验", "Checks on the corrected fields"),
    "informational": ("仅供参考", "informational"),
    "quality": ("照片质量", "Photo quality"),
    "error": ("错误", "Error"),
    "meaning": ("含义", "Meaning"),
    "what_to_do": ("处理建议", "What to do"),
    "approve": ("通过审核", "Approve"),
    "approve_hint": ("有更正时记为“已更正”，否则记为“已通过”。机器识别结果不会被覆盖。",
                     "With corrections the review is “corrected”, else “approved”. The machine "
                     "result is never overwritten."),
    "decision_approved": ("已通过", "approved"),
    "decision_corrected": ("已更正", "corrected"),
    "review_by": ("审核", "Reviewed"),
    "review_outdated": ("之前的审核针对旧结果", "an earlier review covers an older result"),
    "before": ("原值", "before"),
    "after": ("更正", "after"),
    "untrusted": ("不可信", "untrusted"),
    "untrusted_hint": ("这个结果没有函数的签名（被伪造或篡改），内容不予显示。请重新识别。",
                       "This result is not signed by the function (planted or altered); its "
                       "content is not shown. Reprocess the photo."),
    "pending_hint": ("这张照片还没有识别结果。", "This photo has no result yet."),
    "receipt_hint": ("结果只保存在消息队列中（OUTPUT=mns），这里只有回执。",
                     "The data went to the message queue (OUTPUT=mns); only a receipt is here."),
    "outdated": ("照片已更新", "photo replaced"),
    "outdated_hint": ("照片在结果写入后被替换过，请重新识别。",
                      "The photo was replaced after this result was written: reprocess it."),
    "crop_card": ("卡片裁剪", "Card crop"),
    "crop_portrait": ("人像", "Portrait"),
    "zoom_hint": ("点击图片放大/还原", "Click the photo to zoom"),
    "image_unavailable": ("图片不可用", "picture unavailable"),
    "not_found": ("没有这张照片", "No such photo"),
    "refused": ("请求被拒绝", "Request refused"),
    "saved": ("审核已保存", "Review saved"),
    "reprocessed": ("重新识别完成", "Reprocessed"),
    "language": ("English", "中文"),
    "face": ("人像面", "face"),
    "back_side": ("国徽面", "back"),
    "pending": ("未处理", "pending"),
    "ok": ("通过", "ok"),
    "checks_failed": ("校验未通过", "checks failed"),
    "measured_on": ("测量范围", "measured on"),
    "sharpness": ("清晰度", "sharpness"),
    "brightness": ("亮度", "brightness"),
    "blown_out_share": ("过曝比例", "blown-out share"),
    "card_area_share": ("卡片面积占比", "card area share"),
    "request_id": ("请求 ID", "request id"),
    "storage_problem": ("读取结果失败", "the result could not be read"),
    "expired": ("已过期", "expired"),
    "expired_hint": ("证件已过有效期（仅供参考，不算校验失败）",
                     "The card is past its end date (information, not a failed check)"),
    "sides": ("两面", "Both sides"),
    "other_side": ("同一张纸上的另一面", "The other side of the same sheet"),
    "sheet_checks": ("整张（所有面）", "whole sheet (every side)"),
    "original_message": ("原始信息（英文）", "message"),
    "confirm_title": ("校验未通过时仍要通过审核", "Approving although checks fail"),
    "confirm_failing": ("我确认：校验未通过，仍通过审核", "I confirm: the checks fail, approve anyway"),
    "confirm_reason": ("理由（必填，保存在审核记录中）",
                       "Reason (required, kept in the review record)"),
    "confirm_needed": ("校验未通过：请勾选确认并填写理由后再通过审核。",
                       "The checks fail: tick the confirmation and give a reason to approve."),
    "override": ("校验未通过仍通过，理由", "Approved despite failing checks; reason"),
    "china_time": ("北京时间", "China time"),
}

FIELD_NAMES: Dict[str, Tuple[str, str]] = {
    "name": ("姓名", "name"), "sex": ("性别", "sex"), "nationality": ("民族", "nationality"),
    "birth": ("出生", "birth date"), "address": ("住址", "address"),
    "num": ("公民身份号码", "citizen number"), "issue": ("签发机关", "issuing authority"),
    "start_date": ("有效期起", "valid from"), "end_date": ("有效期至", "valid until"),
}

CHECK_NAMES: Dict[str, Tuple[str, str]] = {
    "number_format": ("号码格式", "number format"),
    "birth_matches_number": ("出生日期与号码一致", "birth date matches the number"),
    "sex_matches_number": ("性别与号码一致", "sex matches the number"),
    "region_known": ("地区码有效", "region code known"),
    "address_province": ("住址省份与号码一致", "address in the number's province"),
    "validity_format": ("有效期格式", "validity dates well formed"),
    "validity_length": ("有效期长度", "validity period length"),
    "not_expired": ("未过期", "not expired"),
}

# Why the engine's reading was not taken (card/vouching.py's DECLINE_KINDS); {0} is the field,
# check or error code after the kind, translated when it names a field or a check.
DECLINES: Dict[str, Tuple[str, str]] = {
    "low_confidence": ("{0}的置信度低于阈值", "{0}: confidence below its threshold"),
    "missing": ("{0}未读出", "{0} was not read"),
    "doubted": ("引擎对{0}存疑", "the engine doubts {0}"),
    "implausible": ("{0}不符合证件上的写法", "{0} is not written as on a card"),
    "checks_failed": ("校验未通过：{0}", "check failed: {0}"),
    "no_confidence": ("引擎未给出置信度", "the engine gave no confidence"),
    "no_card_found": ("引擎未找到这一面", "the engine found no such side"),
    "one_side": ("复印页上引擎只找到另一面", "the engine found only the other side on the sheet"),
    "engine_failed": ("引擎出错（{0}）", "the engine failed ({0})"),
    "engine_skipped": ("剩余时间不足，未用引擎", "no time was left for the engine"),
    "over_budget": ("照片文字过多，引擎在工作上限处停止", "the engine stopped at its work budget "
                    "(a photo of much print)"),
    "api_forced": ("已设置全部交给 API（CASCADE_FORCE_API）",
                   "every photo goes to the API (CASCADE_FORCE_API)"),
}

# A decline's detail that is neither a field nor a check: "doubted:answer", doubts that name
# no field of the side.
DECLINE_DETAILS: Dict[str, Tuple[str, str]] = {
    "answer": ("识别结果", "its reading"),
    # checks_failed:authority_elsewhere (card/vouching.py): a sheet's two sides disagree
    "authority_elsewhere": ("签发机关与住址不在同一县区", "the authority is not the address's county"),
}

WARNING_NAMES: Dict[str, Tuple[str, str]] = {
    "blurry": ("模糊", "blurry"), "too_dark": ("过暗", "too dark"),
    "overexposed": ("过曝", "overexposed"), "card_too_small": ("卡片太小", "card too small"),
    "photocopy": ("复印件", "photocopy"),
    "screen_recapture": ("翻拍屏幕", "photo of a screen"),
    "incomplete_border": ("边框不完整", "card cut by the frame"),
    "occlusion": ("遮挡", "occluded"),
    "glare_on_fields": ("文字反光", "glare on the fields"),
    "multiple_cards": ("多张证件", "more than one card"),
}

STATUS_NAMES: Dict[str, Tuple[str, str]] = {
    "ok": ("通过", "ok"), "checks_failed": ("校验未通过", "checks failed"),
    "expired": ("已过期", "expired"),
    "error": ("错误", "error"), "untrusted": ("不可信", "untrusted"),
    "pending": ("未处理", "pending"),
}

# Short names of the error codes, for menus and badges.
ERROR_NAMES: Dict[str, str] = {
    "invalid_image": "不是可读的图片", "image_too_large": "图片过大",
    "image_size_unsupported": "图片尺寸不支持", "not_an_id_card": "不是身份证",
    "recognition_failed": "无法识别", "appcode_invalid": "AppCode 错误",
    "unauthorized": "未授权", "quota_exhausted": "调用次数用完",
    "request_rejected": "请求被拒绝", "api_error": "接口错误", "bad_response": "接口应答异常",
    "storage_denied": "OSS 拒绝访问", "bucket_missing": "存储空间不存在",
    "storage_error": "OSS 错误",
}

# English sentences of card/checks.py's reasons -> Chinese; groups fill {0}, {1}…
REASONS: List[Tuple["re.Pattern", str]] = [(re.compile("^" + english + "$"), chinese) for
                                           english, chinese in (
    (r"birth date and number agree", "出生日期与号码一致"),
    (r"cannot compare: the number is not valid", "无法比较：号码无效"),
    (r"the birth date printed differs from the one in the number", "印刷的出生日期与号码中的不一致"),
    (r"sex and the number's sequence digit agree", "性别与号码的顺序码一致"),
    (r"the sex printed differs from the number's sequence digit \(odd: 男, even: 女\)",
     "印刷的性别与号码的顺序码不符（奇数为男，偶数为女）"),
    (r"region code (\d{6}) is (.+)", "地区码 {0} 为{1}"),
    (r"cannot look up: the number is not valid", "无法查询：号码无效"),
    (r"region code (\d{6}) is not in GB/T 2260 for (\d{4})", "地区码 {0} 不在 {1} 年的 GB/T 2260 中"),
    (r"the address names no province", "住址中没有省份名"),
    (r"the address is in the number's province", "住址在号码所属的省份"),
    (r"the address is in (\S+), the number was issued in another",
     "住址在{0}，号码签发地在其他地区"),
    (r"the address is in (\S+), the number was issued in (\S+)", "住址在{0}，号码签发于{1}"),
    (r"a citizen number has 18 characters, this one (\d+)", "公民身份号码应有 18 位，此号码 {0} 位"),
    (r"17 digits and a digit or X are expected", "应为 17 位数字加一位数字或 X"),
    (r"characters 7-14 are not a real birth date", "第 7–14 位不是真实的出生日期"),
    (r"the check character does not match \(GB 11643-1999\)", "校验码不符（GB 11643-1999）"),
    (r"18 characters, real birth date, check character right", "18 位，出生日期真实，校验码正确"),
    (r"start and end dates are valid", "起止日期有效"),
    (r"start_date must be YYYYMMDD and end_date YYYYMMDD after it, or 长期",
     "有效期起应为 YYYYMMDD，有效期至应为其后的 YYYYMMDD 或“长期”"),
    (r"long-term \(长期\)", "长期有效"),
    (r"valid for (\d+) years", "有效期 {0} 年"),
    (r"cannot judge: dates malformed", "无法判断：日期格式错误"),
    (r"a card is valid for 5, 10 or 20 years, or long-term, to the day",
     "证件有效期应为整 5 年、10 年、20 年或长期"),
    (r"a holder of that age gets long-term", "该年龄的持证人应为长期有效"),
    (r"a holder of that age gets (\d+) years", "该年龄的持证人有效期应为 {0} 年"),
    (r"expired on (\d{8})", "已于 {0} 过期"),
    (r"valid on (\d{8})", "{0} 有效"),
)]

# code: ((zh meaning, zh what to do), (en meaning, en what to do)); English from README.md.
ERRORS: Dict[str, Tuple[Tuple[str, str], Tuple[str, str]]] = {
    "invalid_image": (
        ("不是可读的图片：空文件、损坏或截断、根本不是图片（PDF、文本…）、边长小于 15 像素、"
         "长宽比超过 50:1，或接口返回 462", "上传了错误的文件：请重新上传身份证照片"),
        ("not a readable image: empty, corrupt or truncated, not an image at all (PDF, "
         "text…), a side under 15 px, aspect ratio over 50:1, or API status 462",
         "wrong file uploaded: upload a photo of the card")),
    "image_too_large": (
        ("超过 SOURCE_MAX_BYTES、IMAGE_MAX_PIXELS（解压炸弹）或解码内存预算"
         "（IMAGE_MAX_DECODED_MB，错误信息写明限额），或接口返回 413",
         "分辨率过高的扫描件：缩小后重新上传，或增加函数内存"),
        ("over SOURCE_MAX_BYTES, IMAGE_MAX_PIXELS (decompression bomb) or the decoding budget "
         "(IMAGE_MAX_DECODED_MB; the message names the limit), or API status 413",
         "scans at absurd resolution: upload a smaller one, or give the function more memory")),
    "image_size_unsupported": (
        ("接口返回 421（边长小于 15 或大于 8192 像素，长宽比超过 50）", "重新拍摄后上传"),
        ("API status 421 (side < 15 px or > 8192 px, ratio > 50)",
         "take the photo again and upload it")),
    "not_an_id_card": (
        ("接口在尝试的面中没有找到身份证（success: false，或 463）", "照片拍的是别的东西：请重新上传"),
        ("the API found no card of the side(s) tried (success: false, status 463)",
         "a photo of something else: ask for the card")),
    "recognition_failed": (
        ("接口返回 464", "照片无法识别：重新拍摄"),
        ("API status 464", "unreadable photo: take it again")),
    "appcode_invalid": (
        ("接口返回 400 Invalid AppCode 或 401", "OCR_APPCODE 错误：改正后重新识别"),
        ("API status 400 Invalid AppCode, or 401",
         "wrong OCR_APPCODE: fix it, then reprocess")),
    "unauthorized": (
        ("接口返回 403 Unauthorized", "AppCode 没有这个接口的授权"),
        ("API status 403 Unauthorized", "AppCode not authorised for this API")),
    "quota_exhausted": (
        ("接口返回 403 Quota Exhausted", "购买更多调用次数，然后重新识别"),
        ("API status 403 Quota Exhausted", "buy more calls, then reprocess")),
    "request_rejected": (
        ("接口返回 460/461（JSON 格式错误）", "这是本程序的缺陷：请报告"),
        ("API status 460/461 (malformed JSON)", "a bug here: please report it")),
    "api_error": (
        ("接口返回其他 4xx", "查看错误信息"),
        ("any other 4xx", "read the error message")),
    "bad_response": (
        ("接口返回 200，但内容不是识别结果：不是 JSON、{}、字段类型错误或超过 1 MB",
         "接口网关异常：稍后重新识别"),
        ("the API answered 200 with something that is not an answer: not JSON, {}, fields "
         "that are not text, over 1 MB (not read)", "a broken gateway: reprocess later")),
    "storage_denied": (
        ("OSS 拒绝访问（AccessDenied），错误信息写明操作",
         "函数角色缺少 template.yml 中的权限：补上后重新识别"),
        ("OSS refused (AccessDenied); the message names the operation",
         "the role lacks a permission of template.yml: grant it, then reprocess")),
    "bucket_missing": (
        ("存储空间不存在", "检查 RESULT_BUCKET 和触发器的存储空间"),
        ("the bucket does not exist", "check RESULT_BUCKET and the trigger's bucket")),
    "storage_error": (
        ("OSS 返回其他 4xx", "查看错误信息"),
        ("any other OSS 4xx", "read the error message")),
}


def reason(text: Optional[str], lang: str) -> str:
    """A check's reason in `lang` (the English text when no sentence of REASONS matches)."""
    text = text or ""
    if lang != "zh":
        return text
    for pattern, chinese in REASONS:
        found = pattern.match(text)
        if found:
            return chinese.format(*found.groups())
    return text


def declined(code: Optional[str], lang: str) -> str:
    """engine_declined (`[side:]kind[:detail]`) as a sentence in `lang`; a code of no known
    kind is shown as it is."""
    i = 1 if lang == "en" else 0
    side, _, rest = (code or "").partition(":")
    if side not in ("face", "back"):
        side, rest = "", code or ""
    kind, _, detail = rest.partition(":")
    if kind not in DECLINES:
        return code or ""
    named = FIELD_NAMES.get(detail) or CHECK_NAMES.get(detail) or DECLINE_DETAILS.get(detail)
    text = DECLINES[kind][i].format(named[i] if named else detail)
    if side:
        text = f"{LABELS['face' if side == 'face' else 'back_side'][i]}: {text}"
    return text


def negotiate(accept_language: Optional[str]) -> str:
    """The console language for an Accept-Language header: the first of ours by q-value."""
    ranked = []
    for position, part in enumerate((accept_language or "")[:512].split(",")[:32]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and quality > 0:
            ranked.append((-quality, position, primary))
    return min(ranked)[2] if ranked else DEFAULT


def china_time(value: Optional[str], lang: str = DEFAULT) -> str:
    """An ISO 8601 time of a record (UTC, "…Z") as China time with the zone stated."""
    if not value or not isinstance(value, str):
        return "—"
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value[:40]
    if moment.tzinfo is None:
        return value[:40]  # no zone given: shown as written rather than guessed
    label = LABELS["china_time"][1 if lang == "en" else 0]
    return moment.astimezone(CHINA_TIME).strftime("%Y-%m-%d %H:%M:%S") + f" ({label}, UTC+8)"


def words(lang: str) -> dict:
    """Every label of `lang` by name, for the templates."""
    i = 1 if lang == "en" else 0
    return {
        "label": {name: pair[i] for name, pair in LABELS.items()},
        "field": {name: pair[i] for name, pair in FIELD_NAMES.items()},
        "check": {name: pair[i] for name, pair in CHECK_NAMES.items()},
        "warning": {name: pair[i] for name, pair in WARNING_NAMES.items()},
        "status": {name: pair[i] for name, pair in STATUS_NAMES.items()},
        "error": {code: pair[i] for code, pair in ERRORS.items()},
        "error_name": {code: (ERROR_NAMES.get(code, code) if i == 0 else code)
                       for code in ERRORS},
    }
