from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.task_info import TaskInfo
    from ..models.task_result import TaskResult
    from ..models.task_watermark_info import TaskWatermarkInfo


T = TypeVar("T", bound="Task")


@_attrs_define
class Task:
    """A text-to-video task, as create, query, list and callbacks return it."""

    task_id: str | Unset = UNSET
    """ Numeric string. """
    task_status: str | Unset = UNSET
    """ submitted, processing, succeed or failed; kept a string so new values parse. """
    task_status_msg: str | Unset = UNSET
    """ Why the task failed, e.g. content moderation. """
    task_info: TaskInfo | Unset = UNSET
    task_result: TaskResult | Unset = UNSET
    watermark_info: TaskWatermarkInfo | Unset = UNSET
    final_unit_deduction: str | Unset = UNSET
    """ Units billed. """
    created_at: int | Unset = UNSET
    """ Epoch milliseconds. """
    updated_at: int | Unset = UNSET
    """ Epoch milliseconds. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        task_id = self.task_id

        task_status = self.task_status

        task_status_msg = self.task_status_msg

        task_info: dict[str, Any] | Unset = UNSET
        if not isinstance(self.task_info, Unset):
            task_info = self.task_info.to_dict()

        task_result: dict[str, Any] | Unset = UNSET
        if not isinstance(self.task_result, Unset):
            task_result = self.task_result.to_dict()

        watermark_info: dict[str, Any] | Unset = UNSET
        if not isinstance(self.watermark_info, Unset):
            watermark_info = self.watermark_info.to_dict()

        final_unit_deduction = self.final_unit_deduction

        created_at = self.created_at

        updated_at = self.updated_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if task_id is not UNSET:
            field_dict["task_id"] = task_id
        if task_status is not UNSET:
            field_dict["task_status"] = task_status
        if task_status_msg is not UNSET:
            field_dict["task_status_msg"] = task_status_msg
        if task_info is not UNSET:
            field_dict["task_info"] = task_info
        if task_result is not UNSET:
            field_dict["task_result"] = task_result
        if watermark_info is not UNSET:
            field_dict["watermark_info"] = watermark_info
        if final_unit_deduction is not UNSET:
            field_dict["final_unit_deduction"] = final_unit_deduction
        if created_at is not UNSET:
            field_dict["created_at"] = created_at
        if updated_at is not UNSET:
            field_dict["updated_at"] = updated_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.task_info import TaskInfo  # noqa: PLC0415
        from ..models.task_result import TaskResult  # noqa: PLC0415
        from ..models.task_watermark_info import TaskWatermarkInfo  # noqa: PLC0415

        d = dict(src_dict)
        task_id = d.pop("task_id", UNSET)

        task_status = d.pop("task_status", UNSET)

        task_status_msg = d.pop("task_status_msg", UNSET)

        _task_info = d.pop("task_info", UNSET)
        task_info: TaskInfo | Unset
        if isinstance(_task_info, Unset):
            task_info = UNSET
        else:
            task_info = TaskInfo.from_dict(_task_info)

        _task_result = d.pop("task_result", UNSET)
        task_result: TaskResult | Unset
        if isinstance(_task_result, Unset):
            task_result = UNSET
        else:
            task_result = TaskResult.from_dict(_task_result)

        _watermark_info = d.pop("watermark_info", UNSET)
        watermark_info: TaskWatermarkInfo | Unset
        if isinstance(_watermark_info, Unset):
            watermark_info = UNSET
        else:
            watermark_info = TaskWatermarkInfo.from_dict(_watermark_info)

        final_unit_deduction = d.pop("final_unit_deduction", UNSET)

        created_at = d.pop("created_at", UNSET)

        updated_at = d.pop("updated_at", UNSET)

        task = cls(
            task_id=task_id,
            task_status=task_status,
            task_status_msg=task_status_msg,
            task_info=task_info,
            task_result=task_result,
            watermark_info=watermark_info,
            final_unit_deduction=final_unit_deduction,
            created_at=created_at,
            updated_at=updated_at,
        )

        task.additional_properties = d
        return task

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
