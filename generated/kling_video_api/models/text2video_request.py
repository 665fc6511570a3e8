from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.camera_control_request import CameraControlRequest
    from ..models.multi_prompt_item import MultiPromptItem
    from ..models.watermark_info_request import WatermarkInfoRequest


T = TypeVar("T", bound="Text2VideoRequest")


@_attrs_define
class Text2VideoRequest:
    model_name: str
    """  模型名称 枚举值:kling-v1,kling-v1-6, kling-v2-master, kling-v2-1-master, kling-v2-5-turbo,kling-v3 """
    multi_shot: bool
    """ 是否生成多镜头视频
    当前参数为true时,prompt参数无效
    当前参数为false时,shot_type参数及multi_prompt参数无效 """
    mode: str
    """ 生成视频的模式
    枚举值:std,pro
    其中std:标准模式(标准),基础模式,性价比高
    其中pro:专家模式(高品质),高表现模式,生成视频质量更佳 """
    duration: str
    """ 生成视频时长,单位s """
    prompt: str | Unset = UNSET
    """ 正向文本提示词不能超过2500个字符 """
    shot_type: str | Unset = UNSET
    """ 分镜方式
    枚举值:customize
    当multi_shot参数为true时,当前参数必填 """
    multi_prompt: list[MultiPromptItem] | Unset = UNSET
    """ 各分镜信息,如提示词、时长等
    ● 通过index、prompt、duration参数定义分镜序号及相应提示词和时长,其中:
    	○ 最多支持6个分镜,最小支持1个分镜
    	○ 每个分镜相关内容的最大长度不超过512
    	○ 每个分镜的时长不大于当前任务的总时长,不小于1
    	○ 所有分镜的时长之和等于当前任务的总时长 """
    negative_prompt: str | Unset = UNSET
    """ 负向文本提示词不能超过2500个字符 """
    cfg_scale: float | Unset = UNSET
    """ 生成视频的自由度;值越大,模型自由度越小,与用户输入的提示词相关性越强 """
    sound: str | Unset = UNSET
    """ 生成视频时是否同时生成声音枚举值:on,off仅V2.6及后续版本模型支持当前参数 """
    aspect_ratio: str | Unset = UNSET
    """ 生成视频的画面纵横比(宽:高) """
    callback_url: str | Unset = UNSET
    external_task_id: str | Unset = UNSET
    watermark_info: WatermarkInfoRequest | Unset = UNSET
    """ 是否同时生成含水印的结果
    ● 通过enabled参数定义,用key:value承载,如下::
    "watermark_info": {
     	"enabled": boolean // true 为生成,false 为不生成
    } """
    camera_control: CameraControlRequest | Unset = UNSET
    """ 控制摄像机运动的协议(如未指定,模型将根据输入的文本/图片进行智能匹配) """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        model_name = self.model_name

        multi_shot = self.multi_shot

        mode = self.mode

        duration = self.duration

        prompt = self.prompt

        shot_type = self.shot_type

        multi_prompt: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.multi_prompt, Unset):
            multi_prompt = []
            for multi_prompt_item_data in self.multi_prompt:
                multi_prompt_item = multi_prompt_item_data.to_dict()
                multi_prompt.append(multi_prompt_item)

        negative_prompt = self.negative_prompt

        cfg_scale = self.cfg_scale

        sound = self.sound

        aspect_ratio = self.aspect_ratio

        callback_url = self.callback_url

        external_task_id = self.external_task_id

        watermark_info: dict[str, Any] | Unset = UNSET
        if not isinstance(self.watermark_info, Unset):
            watermark_info = self.watermark_info.to_dict()

        camera_control: dict[str, Any] | Unset = UNSET
        if not isinstance(self.camera_control, Unset):
            camera_control = self.camera_control.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "model_name": model_name,
                "multi_shot": multi_shot,
                "mode": mode,
                "duration": duration,
            }
        )
        if prompt is not UNSET:
            field_dict["prompt"] = prompt
        if shot_type is not UNSET:
            field_dict["shot_type"] = shot_type
        if multi_prompt is not UNSET:
            field_dict["multi_prompt"] = multi_prompt
        if negative_prompt is not UNSET:
            field_dict["negative_prompt"] = negative_prompt
        if cfg_scale is not UNSET:
            field_dict["cfg_scale"] = cfg_scale
        if sound is not UNSET:
            field_dict["sound"] = sound
        if aspect_ratio is not UNSET:
            field_dict["aspect_ratio"] = aspect_ratio
        if callback_url is not UNSET:
            field_dict["callback_url"] = callback_url
        if external_task_id is not UNSET:
            field_dict["external_task_id"] = external_task_id
        if watermark_info is not UNSET:
            field_dict["watermark_info"] = watermark_info
        if camera_control is not UNSET:
            field_dict["camera_control"] = camera_control

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.camera_control_request import CameraControlRequest  # noqa: PLC0415
        from ..models.multi_prompt_item import MultiPromptItem  # noqa: PLC0415
        from ..models.watermark_info_request import WatermarkInfoRequest  # noqa: PLC0415

        d = dict(src_dict)
        model_name = d.pop("model_name")

        multi_shot = d.pop("multi_shot")

        mode = d.pop("mode")

        duration = d.pop("duration")

        prompt = d.pop("prompt", UNSET)

        shot_type = d.pop("shot_type", UNSET)

        _multi_prompt = d.pop("multi_prompt", UNSET)
        multi_prompt: list[MultiPromptItem] | Unset = UNSET
        if _multi_prompt is not UNSET:
            multi_prompt = []
            for multi_prompt_item_data in _multi_prompt:
                multi_prompt_item = MultiPromptItem.from_dict(multi_prompt_item_data)

                multi_prompt.append(multi_prompt_item)

        negative_prompt = d.pop("negative_prompt", UNSET)

        cfg_scale = d.pop("cfg_scale", UNSET)

        sound = d.pop("sound", UNSET)

        aspect_ratio = d.pop("aspect_ratio", UNSET)

        callback_url = d.pop("callback_url", UNSET)

        external_task_id = d.pop("external_task_id", UNSET)

        _watermark_info = d.pop("watermark_info", UNSET)
        watermark_info: WatermarkInfoRequest | Unset
        if isinstance(_watermark_info, Unset):
            watermark_info = UNSET
        else:
            watermark_info = WatermarkInfoRequest.from_dict(_watermark_info)

        _camera_control = d.pop("camera_control", UNSET)
        camera_control: CameraControlRequest | Unset
        if isinstance(_camera_control, Unset):
            camera_control = UNSET
        else:
            camera_control = CameraControlRequest.from_dict(_camera_control)

        text2video_request = cls(
            model_name=model_name,
            multi_shot=multi_shot,
            mode=mode,
            duration=duration,
            prompt=prompt,
            shot_type=shot_type,
            multi_prompt=multi_prompt,
            negative_prompt=negative_prompt,
            cfg_scale=cfg_scale,
            sound=sound,
            aspect_ratio=aspect_ratio,
            callback_url=callback_url,
            external_task_id=external_task_id,
            watermark_info=watermark_info,
            camera_control=camera_control,
        )

        text2video_request.additional_properties = d
        return text2video_request

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
