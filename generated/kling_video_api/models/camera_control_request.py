from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.camera_control_config import CameraControlConfig


T = TypeVar("T", bound="CameraControlRequest")


@_attrs_define
class CameraControlRequest:
    """控制摄像机运动的协议(如未指定,模型将根据输入的文本/图片进行智能匹配)"""

    type_: str
    config: CameraControlConfig | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        config: dict[str, Any] | Unset = UNSET
        if not isinstance(self.config, Unset):
            config = self.config.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "type": type_,
            }
        )
        if config is not UNSET:
            field_dict["config"] = config

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.camera_control_config import CameraControlConfig  # noqa: PLC0415

        d = dict(src_dict)
        type_ = d.pop("type")

        _config = d.pop("config", UNSET)
        config: CameraControlConfig | Unset
        if isinstance(_config, Unset):
            config = UNSET
        else:
            config = CameraControlConfig.from_dict(_config)

        camera_control_request = cls(
            type_=type_,
            config=config,
        )

        camera_control_request.additional_properties = d
        return camera_control_request

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
