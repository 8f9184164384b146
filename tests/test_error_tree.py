"""One error tree: every vendor's classes are the shared classes of the same name, under the vendor's root."""

from __future__ import annotations

import feishu_im
import pytest
import tencent_im
import yunxin_im

from imgroup import errors

PACKAGES = (feishu_im, tencent_im, yunxin_im)
SHARED = (
    "ValidationError",
    "ApiConnectionError",
    "ApiTimeoutError",
    "ResponseFormatError",
    "ApiError",
    *(cls.__name__ for cls in errors.CATEGORY_ERRORS),
)


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.__name__)
@pytest.mark.parametrize("name", SHARED)
def test_each_vendor_class_is_the_shared_class_of_its_name(package: object, name: str) -> None:
    vendor_class = getattr(package, name)
    assert issubclass(vendor_class, getattr(errors, name))
    assert issubclass(vendor_class, errors.ImgroupError)
    assert vendor_class.__module__ == f"{package.__name__}.errors"  # type: ignore[attr-defined]


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.__name__)
def test_a_vendors_errors_have_its_own_root_and_no_other_vendors(package: object) -> None:
    root = package.errors.ERRORS.root  # type: ignore[attr-defined]
    others = [p.errors.ERRORS.root for p in PACKAGES if p is not package]
    for name in SHARED:
        vendor_class = getattr(package, name)
        assert issubclass(vendor_class, root)
        assert not any(issubclass(vendor_class, other) for other in others)


def test_categories_are_the_shared_ones_and_map_to_the_vendor_classes() -> None:
    for package in PACKAGES:
        by_category = package.errors.ERRORS_BY_CATEGORY
        assert tuple(by_category) == errors.CATEGORIES
        for category, cls in by_category.items():
            assert cls.category == category
            assert "category" not in vars(cls)  # inherited from the shared class, never redefined


def test_one_except_clause_catches_every_vendor() -> None:
    raised = [
        package.RateLimitedError(code=1, message="slow down", http_status=429, operation="op") for package in PACKAGES
    ]
    for error in raised:
        with pytest.raises(errors.RateLimitedError) as caught:
            raise error
        assert caught.value.retryable  # the shared behaviour: 429 without a catalogue entry
    with pytest.raises(feishu_im.ApiError):
        raise feishu_im.AlreadyGoneError(code=232009, message="gone", http_status=400, operation="disband_chat")


def test_validation_errors_are_value_errors_naming_the_field() -> None:
    error = tencent_im.ValidationError("destroy_group", "group_id", "is required")
    assert isinstance(error, ValueError) and isinstance(error, errors.ValidationError)
    assert str(error) == "destroy_group: group_id is required"
