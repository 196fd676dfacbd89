"""The console's account forms (Flask-WTF: each carries its CSRF token)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField, PasswordField, SelectField, StringField
from wtforms.validators import EqualTo, InputRequired, Length, NumberRange, Optional

from diancang.accounts.libraries import MAX_NAME, MAX_TARGET
from diancang.accounts.models import LEVEL_NAMES, LEVELS, ROLE_NAMES, ROLES
from diancang.accounts.passwords import MAX_LENGTH, MIN_LENGTH

REQUIRED = "必填"


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[InputRequired(REQUIRED), Length(max=64)])
    password = PasswordField("密码", validators=[InputRequired(REQUIRED), Length(max=MAX_LENGTH)])


class LogoutForm(FlaskForm):
    """No fields: only the CSRF token."""


class LibraryForm(FlaskForm):
    name = StringField("馆名", validators=[InputRequired(REQUIRED), Length(max=MAX_NAME)])
    level = SelectField("级别", choices=[(level, LEVEL_NAMES[level]) for level in LEVELS])
    jurisdiction = StringField("行政区划代码", validators=[InputRequired(REQUIRED), Length(max=6)])
    parent = SelectField("上级图书馆", choices=[], validate_choice=False)
    records_target = IntegerField(
        "年度编目目标（条）",
        validators=[Optional(), NumberRange(0, MAX_TARGET, "应在 0 至 %(max)s 之间")],
    )


class TargetsForm(FlaskForm):
    records_target = IntegerField(
        "年度编目目标（条）",
        validators=[InputRequired(REQUIRED), NumberRange(0, MAX_TARGET, "应在 0 至 %(max)s 之间")],
    )
    websites_target = IntegerField(
        "年度网站典藏目标（个）",
        validators=[InputRequired(REQUIRED), NumberRange(0, MAX_TARGET, "应在 0 至 %(max)s 之间")],
    )


class UserForm(FlaskForm):
    username = StringField("用户名", validators=[InputRequired(REQUIRED), Length(max=64)])
    role = SelectField("角色", choices=[(role, ROLE_NAMES[role]) for role in ROLES])
    library = SelectField("所属图书馆", choices=[], validate_choice=False)
    password = PasswordField(
        "密码",
        validators=[
            InputRequired(REQUIRED),
            Length(MIN_LENGTH, MAX_LENGTH, f"密码应为 {MIN_LENGTH} 至 {MAX_LENGTH} 个字符"),
        ],
    )
    confirm = PasswordField(
        "确认密码",
        validators=[InputRequired(REQUIRED), EqualTo("password", "两次输入的密码不一致")],
    )
