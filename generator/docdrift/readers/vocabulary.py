"""The words vendor pages use for the parts of a page, one small vocabulary per vendor and language.

The reader looks for a page's structure (an endpoint, parameter tables under section headings, an error
table) and uses these words only to name what it found. Every word is compared after ``compact_label``
(width-folded, lower case, no spaces or markup), so ``Path parameters`` is listed as ``pathparameters``.
A new site or language is a few words added here, not a new reader.
"""

from __future__ import annotations

from ..model import Location

# Where the parameters listed under a heading travel.
_FEISHU_ZH_SECTIONS = {
    "请求头": Location.HEADER,
    "路径参数": Location.PATH,
    "查询参数": Location.QUERY,
    "请求体": Location.BODY,
}
_LARK_EN_SECTIONS = {
    "requestheader": Location.HEADER,
    "requestheaders": Location.HEADER,
    "pathparameters": Location.PATH,
    "queryparameters": Location.QUERY,
    "requestbody": Location.BODY,
}
_TENCENT_SECTIONS = {
    "requestfields": Location.BODY,
    "requestpacketfields": Location.BODY,
    "请求包字段": Location.BODY,
    "请求字段": Location.BODY,
}
_YUNXIN_SECTIONS = {"请求体参数": Location.BODY, "请求header": Location.HEADER}
SECTIONS: dict[str, Location] = {**_FEISHU_ZH_SECTIONS, **_LARK_EN_SECTIONS, **_TENCENT_SECTIONS, **_YUNXIN_SECTIONS}

# Headings after which nothing is a request parameter until the next request heading: the response,
# examples, the error table. Markdown headings not listed anywhere end a section too.
STOPS = frozenset(
    {
        # Feishu (zh) and Lark (en)
        "响应",
        "响应体",
        "响应体示例",
        "错误码",
        "response",
        "responsebody",
        "responsebodyexample",
        "errorcode",
        "errorcodes",
        # apifox captures (Feishu 002, Yunxin 004)
        "返回响应",
        "响应示例",
        "请求示例",
        "示例代码",
        "示例",
        "responses",
        "example",
        "examples",
        # Tencent (en, zh)
        "samplerequest",
        "sampleresponse",
        "responsefields",
        "responsepacketexample",
        "responsepacketfields",
        "请求包示例",
        "应答包体示例",
        "应答包字段",
        # Yunxin current pages
        "响应体参数",
        "响应header",
    }
)

# Words after an object's name in a heading over a table of its fields (``configuration 参数说明``).
OBJECT_WORDS = frozenset(
    {
        "参数说明",
        "字段说明",
        "参数",
        "字段",
        "对象",
        "结构",
        "结构体",
        "说明",
        "object",
        "fields",
        "parameters",
        "properties",
    }
)

# Rows of a ``名称 | 值`` request table (Feishu, Lark), by what they hold.
REQUEST_ROWS = {
    "httpurl": "url",
    "httpmethod": "method",
    "接口频率限制": "rate",
    "频率限制": "rate",
    "ratelimit": "rate",
    "ratelimits": "rate",
}

# Column headers of tables, by role. Error tables need a code and a message; parameter tables a name and a type.
ERROR_COLUMNS = {
    "status": {"http状态码", "http状态", "httpstatus", "httpstatuscode", "状态码", "statuscode"},
    "code": {"错误码", "错误代码", "errorcode", "code"},
    "message": {"描述", "错误描述", "错误信息", "message", "msg", "description", "errormessage", "errorinfo"},
    "advice": {
        "排查建议",
        "解决方案",
        "处理建议",
        "troubleshooting",
        "troubleshootingsuggestions",
        "suggestion",
        "suggestions",
        "solution",
        "advice",
    },
}
PARAM_COLUMNS = {
    "name": {"名称", "参数", "参数名", "参数名称", "字段", "name", "parameter", "parametername", "field"},
    "type": {"类型", "参数类型", "type"},
    "required": {"必填", "是否必填", "必选", "是否必选", "必需", "是否必需", "属性", "required", "attribute"},
    "description": {"描述", "说明", "description"},
}

# Values of a required-ness cell or line.
REQUIRED_WORDS = frozenset({"是", "yes", "true", "必填", "必需", "必选", "required"})
OPTIONAL_WORDS = frozenset({"否", "no", "false", "选填", "可选", "非必填", "optional"})

HTTP_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
